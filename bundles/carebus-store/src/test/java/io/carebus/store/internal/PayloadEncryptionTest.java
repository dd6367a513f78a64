package io.carebus.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.store.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadEncryptionTest {

    private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String K2 = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    private static InboundMessage message() {
        return new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", "ENC1", "REG^HOSP", Instant.now(),
                "MSH|^~\\&|REG|HOSP|||x||ADT^A01|ENC1|P|2.5\rPID|1||MRN77||Secret^Patient\r".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void payloadsAreEncryptedAtRestReadableAfterRotationAndRefusedWithoutTheKey() throws Exception {
        DataSource ds = StoreFactory.create(StoreFactory.embeddedH2Url(dir.resolve("store")), "", "");
        StoreFactory.migrate(ds);
        long id;
        try (JdbcMessageStore store = new JdbcMessageStore(ds, true, Duration.ZERO, 8, Clock.systemUTC(),
                new PayloadCipher("k1", Map.of("k1", K1)))) {
            id = store.store(message()).messageId();
            assertThat(new String(store.find(id).orElseThrow().message().payload(), StandardCharsets.ISO_8859_1))
                    .contains("Secret^Patient");
            store.attachCanonical(id, "{\"family\":\"Secret\"}".getBytes(StandardCharsets.UTF_8), java.util.List.of("urn:x|MRN77"));
            assertThat(store.canonical(id)).hasValue("{\"family\":\"Secret\"}".getBytes(StandardCharsets.UTF_8));
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT payload, payload_key_id, canonical, key_id FROM message"
                     + " JOIN message_canonical ON message_id = id WHERE id = " + id)) {
            rs.next();
            assertThat(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1)).doesNotContain("Secret").doesNotContain("MSH");
            assertThat(rs.getString(2)).isEqualTo("k1");
            assertThat(new String(rs.getBytes(3), StandardCharsets.ISO_8859_1)).doesNotContain("Secret");
            assertThat(rs.getString(4)).isEqualTo("k1");
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT identifier_sha256 FROM message_patient WHERE message_id = " + id)) {
            while (rs.next()) {
                assertThat(rs.getString(1)).as("identifiers are indexed as hashes only").doesNotContain("MRN77").hasSize(64);
            }
        }
        try (JdbcMessageStore rotated = new JdbcMessageStore(ds, true, Duration.ZERO, 8, Clock.systemUTC(),
                new PayloadCipher("k2", Map.of("k1", K1, "k2", K2)))) {
            assertThat(rotated.find(id).orElseThrow().message().payload()).isEqualTo(message().payload());
        }
        try (JdbcMessageStore wrong = new JdbcMessageStore(ds, true, Duration.ZERO, 8, Clock.systemUTC(),
                new PayloadCipher("k1", Map.of("k1", K2)));
             JdbcMessageStore none = new JdbcMessageStore(ds, true, Duration.ZERO, 8, Clock.systemUTC(), null)) {
            assertThatThrownBy(() -> wrong.find(id)).hasMessageContaining("cannot be decrypted");
            assertThatThrownBy(() -> none.find(id)).hasMessageContaining("no payload key is configured");
        }
    }

    @Test
    void keysMustBeAes256() {
        assertThatThrownBy(() -> new PayloadCipher("k", Map.of("k", Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new PayloadCipher("missing", Map.of("k", K1))).hasMessageContaining("no key with id");
        assertThat(StoreFactory.parseKeys("a=" + K1 + ", b=" + K2)).containsOnlyKeys("a", "b");
    }
}
