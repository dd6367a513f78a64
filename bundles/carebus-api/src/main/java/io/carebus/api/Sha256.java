package io.carebus.api;

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
        // A table and one Latin-1 string: HexFormat's per-byte appends were a fifth of a batched prediction's time.
        byte[] hex = new byte[64];
        for (int i = 0; i < 32; i++) {
            int b = digest[i] & 0xFF;
            hex[2 * i] = HEX_DIGITS[b >>> 4];
            hex[2 * i + 1] = HEX_DIGITS[b & 0x0F];
        }
        return new Sha256(new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
