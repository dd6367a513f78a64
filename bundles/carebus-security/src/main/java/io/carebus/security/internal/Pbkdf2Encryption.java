package io.carebus.security.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.karaf.jaas.modules.Encryption;

/**
 * Salted, slow password hashes for Karaf JAAS: PBKDF2 with HMAC-SHA-512 (the JDK's, no extra library), a random
 * 16-byte salt per password, stored as {@code pbkdf2-sha512$<iterations>$<salt>$<hash>} (unpadded Base64url, so the
 * users file needs no escaping). {@link #checkPassword} also accepts the unsalted digests Karaf's "basic" encryption
 * wrote before ({@code legacyAlgorithm}, hexadecimal), so existing users keep logging in until their password is
 * set again, which stores it as PBKDF2.
 */
public final class Pbkdf2Encryption implements Encryption {

    static final String PREFIX = "pbkdf2-sha512$";
    private static final String KDF = "PBKDF2WithHmacSHA512";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 512;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    /** Above this a stored hash (which an attacker with write access could craft) would make a login a denial of service. */
    private static final int MAX_ITERATIONS = 5_000_000;

    private final int iterations;
    private final String legacyAlgorithm;
    private final SecureRandom random = new SecureRandom();

    public Pbkdf2Encryption(int iterations, String legacyAlgorithm) {
        if (iterations < 10_000 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("PBKDF2 iterations out of range (10,000 to 5,000,000): " + iterations);
        }
        this.iterations = iterations;
        this.legacyAlgorithm = legacyAlgorithm;
    }

    @Override
    public String encryptPassword(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return PREFIX + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(derive(password, salt, iterations));
    }

    @Override
    public boolean checkPassword(String input, String stored) {
        if (input == null || stored == null) {
            return false;
        }
        if (stored.startsWith(PREFIX)) {
            String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
            if (parts.length != 3) {
                return false;
            }
            try {
                int n = Integer.parseInt(parts[0]);
                if (n < 1 || n > MAX_ITERATIONS) {
                    return false;
                }
                return MessageDigest.isEqual(derive(input, B64D.decode(parts[1]), n), B64D.decode(parts[2]));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return isLegacy(stored) && MessageDigest.isEqual(legacyDigest(input).getBytes(StandardCharsets.US_ASCII),
                stored.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** A digest Karaf's "basic" encryption wrote (hexadecimal, of the legacy algorithm's length). */
    public boolean isLegacy(String stored) {
        return stored != null && !stored.startsWith(PREFIX) && stored.length() == legacyDigest("").length()
                && stored.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private String legacyDigest(String input) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(legacyAlgorithm).digest(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("legacy password digest " + legacyAlgorithm + " unavailable", e);
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(KDF).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(KDF + " unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }
}
