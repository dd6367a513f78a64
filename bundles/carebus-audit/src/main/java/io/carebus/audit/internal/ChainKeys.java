package io.carebus.audit.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 keys of the chain, by key id: new records use the current key; verification picks each record's
 * key by the id stored with it, so keys can be rotated without breaking the chain. The keys never enter the database.
 */
final class ChainKeys {

    static final String GENESIS = "0".repeat(64);

    private final String currentId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    private final ThreadLocal<Map<String, Mac>> macs = ThreadLocal.withInitial(java.util.HashMap::new);

    ChainKeys(String currentId, Map<String, byte[]> keysById) {
        keysById.forEach((id, key) -> {
            if (key.length < 32) {
                throw new IllegalArgumentException("audit key '" + id + "' must have at least 32 bytes, has " + key.length);
            }
            keys.put(id, new SecretKeySpec(key, "HmacSHA256"));
        });
        if (!keys.containsKey(currentId)) {
            throw new IllegalArgumentException("no audit key with id '" + currentId + "' among " + keys.keySet());
        }
        this.currentId = currentId;
    }

    /** "id=base64, id2=base64" as in the configuration. */
    static Map<String, byte[]> parse(String spec) {
        Map<String, byte[]> parsed = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("audit keys are id=base64, comma separated");
            }
            parsed.put(entry.substring(0, eq).strip(), Base64.getDecoder().decode(entry.substring(eq + 1).strip()));
        }
        return parsed;
    }

    String currentId() {
        return currentId;
    }

    boolean has(String keyId) {
        return keys.containsKey(keyId);
    }

    /** HMAC(key, previous hash (hex) || canonical record), as lower-case hex. */
    String chain(String keyId, String previousHex, byte[] canonical) {
        Mac mac = mac(keyId);
        mac.update(HexFormat.of().parseHex(previousHex));
        return HexFormat.of().formatHex(mac.doFinal(canonical));
    }

    /** The signature of an anchor: HMAC over its text with the given key. */
    String sign(String keyId, String text) {
        return HexFormat.of().formatHex(mac(keyId).doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** One initialised Mac per key and thread: creating one costs more than hashing a record. */
    private Mac mac(String keyId) {
        Mac cached = macs.get().get(keyId);
        if (cached != null) {
            return cached;
        }
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("no audit key with id '" + keyId + "' is configured");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            macs.get().put(keyId, mac);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
