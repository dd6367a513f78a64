package io.carebus.api;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A SHA-256 digest in lower-case hex. Model files, message payloads and audit inputs/outputs are identified by it,
 * so a malformed digest is rejected where it is made rather than when it is compared.
 */
public record Sha256(String hex) {

    public Sha256 {
        Objects.requireNonNull(hex, "hex");
        if (!isLowerHex64(hex)) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256 digest: '" + hex + "'");
        }
    }

    /** A plain loop: every prediction and audit record makes one of these, and a regex costs more than the hash. */
    private static boolean isLowerHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
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
