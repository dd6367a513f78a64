package io.carebus.api;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A SHA-256 digest in lower-case hex. Model files, message payloads and audit inputs/outputs are identified by it,
 * so a malformed digest is rejected where it is made rather than when it is compared.
 */
public record Sha256(String hex) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Sha256 {
        Objects.requireNonNull(hex, "hex");
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256 digest: '" + hex + "'");
        }
    }

    public static Sha256 of(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + digest.length);
        }
        return new Sha256(HexFormat.of().formatHex(digest));
    }

    /** The SHA-256 of the bytes (every JVM has SHA-256). */
    public static Sha256 hash(byte[] data) {
        try {
            return of(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
