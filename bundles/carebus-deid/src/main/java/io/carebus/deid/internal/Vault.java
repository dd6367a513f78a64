package io.carebus.deid.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * The re-identification vault: per pseudonym, the real identifier and the identifying values seen for that patient
 * (names, other identifiers, phone numbers: what free text must be scrubbed of next time), sealed with AES-256-GCM
 * under a key derived from the pseudonym secret (HMAC-SHA256(secret, "carebus-vault")), the pseudonym as associated
 * data, so a row cannot be moved to another pseudonym. Nothing in the table is readable without the secret.
 */
public final class Vault {

    /** What the vault holds for one pseudonym. */
    public record Entry(PatientIdentifier patient, Set<String> knownValues) {
    }

    private static final int MAX_KNOWN = 200;
    private final DataSource dataSource;
    private final Map<String, SecretKeySpec> keys = new java.util.HashMap<>();
    private final String keyId;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    /** Recently used entries, so a patient's every message does not read and decrypt its row again. */
    private final Map<String, Entry> recent = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > 2_000;
        }
    });

    /** @param secrets every pseudonym secret by key id (old ones open old rows); new rows are sealed under {@code keyId} */
    public Vault(DataSource dataSource, String keyId, Map<String, byte[]> secrets, Clock clock) {
        this.dataSource = dataSource;
        this.keyId = keyId;
        this.clock = clock;
        try {
            for (Map.Entry<String, byte[]> secret : secrets.entrySet()) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getValue(), "HmacSHA256"));
                keys.put(secret.getKey(), new SecretKeySpec(mac.doFinal("carebus-vault".getBytes(StandardCharsets.UTF_8)), "AES"));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        if (!keys.containsKey(keyId)) {
            throw new IllegalArgumentException("no pseudonym secret with key id " + keyId);
        }
    }

    /** Records (or extends) the pseudonym's entry with the identifier and the values seen this time. */
    public synchronized void remember(String pseudonym, PatientIdentifier patient, Set<String> seen) {
        Entry cached = recent.get(pseudonym);
        if (cached != null && cached.patient().equals(patient) && cached.knownValues().size() >= MAX_KNOWN
                || cached != null && cached.patient().equals(patient) && cached.knownValues().containsAll(seen)) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Optional<Entry> existing = read(c, pseudonym);
            Set<String> known = new LinkedHashSet<>(existing.map(Entry::knownValues).orElse(Set.of()));
            int before = known.size();
            for (String v : seen) {
                if (known.size() >= MAX_KNOWN) {
                    break;
                }
                known.add(v);
            }
            if (existing.isPresent() && known.size() == before) {
                recent.put(pseudonym, existing.get());
                return;
            }
            byte[] sealed = seal(pseudonym, new Entry(patient, known));
            long now = clock.millis();
            String sql = existing.isPresent()
                    ? "UPDATE deid_vault SET sealed = ?, key_id = ?, updated_millis = ? WHERE pseudonym = ?"
                    : "INSERT INTO deid_vault (sealed, key_id, updated_millis, pseudonym, created_millis) VALUES (?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setBytes(1, sealed);
                ps.setString(2, keyId);
                ps.setLong(3, now);
                ps.setString(4, pseudonym);
                if (existing.isEmpty()) {
                    ps.setLong(5, now);
                }
                ps.executeUpdate();
            }
            recent.put(pseudonym, new Entry(patient, Set.copyOf(known)));
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not write the re-identification vault: " + e.getMessage(), e);
        }
    }

    public Optional<Entry> lookup(String pseudonym) {
        Entry cached = recent.get(pseudonym);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (Connection c = dataSource.getConnection()) {
            Optional<Entry> found = read(c, pseudonym);
            found.ifPresent(e -> recent.put(pseudonym, e));
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the re-identification vault: " + e.getMessage(), e);
        }
    }

    private Optional<Entry> read(Connection c, String pseudonym) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sealed, key_id FROM deid_vault WHERE pseudonym = ?")) {
            ps.setString(1, pseudonym);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(open(pseudonym, rs.getBytes(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    private byte[] seal(String pseudonym, Entry entry) {
        try {
            byte[] plain = json.writeValueAsBytes(Map.of("system", entry.patient().system(), "value", entry.patient().value(),
                    "known", List.copyOf(entry.knownValues())));
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(keyId), new GCMParameterSpec(128, iv));
            cipher.updateAAD(pseudonym.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot seal a vault entry", e);
        }
    }

    @SuppressWarnings("unchecked")
    private Entry open(String pseudonym, byte[] sealed, String sealedUnder) {
        SecretKeySpec key = keys.get(sealedUnder);
        if (key == null) {
            throw new IllegalStateException("vault entry for " + pseudonym + " was sealed under key " + sealedUnder + ", which is not configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, 12));
            cipher.updateAAD(pseudonym.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(sealed, 12, sealed.length - 12);
            Map<String, Object> m = json.readValue(plain, Map.class);
            return new Entry(new PatientIdentifier((String) m.get("system"), (String) m.get("value")),
                    new LinkedHashSet<>((List<String>) m.getOrDefault("known", new ArrayList<>())));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("vault entry for " + pseudonym + " cannot be opened (wrong key, or tampered)");
        }
    }
}
