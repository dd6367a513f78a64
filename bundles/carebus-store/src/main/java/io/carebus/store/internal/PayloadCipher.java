package io.carebus.store.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for message bodies at rest: a fresh 96-bit nonce per payload, stored in front of the ciphertext and
 * tag; the key id is stored beside the payload so keys can be rotated (old keys stay listed to read old messages).
 */
final class PayloadCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;
    private final SecureRandom random = new SecureRandom();

    /** @param keys key id to base64 of 32 key bytes; {@code currentKeyId} encrypts, every listed key decrypts */
    PayloadCipher(String currentKeyId, Map<String, String> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = keys.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> key(e.getKey(), e.getValue())));
        if (!this.keys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("no key with id '" + currentKeyId + "' is configured");
        }
    }

    private static SecretKeySpec key(String id, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + id + "' is not base64");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), is " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    String currentKeyId() {
        return currentKeyId;
    }

    byte[] encrypt(byte[] plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required of every Java platform", e);
        }
    }

    byte[] decrypt(byte[] stored, String keyId) {
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("payload encrypted with key '" + keyId + "', which is not configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("payload cannot be decrypted with key '" + keyId + "' (tampered or wrong key)", e);
        }
    }
}
