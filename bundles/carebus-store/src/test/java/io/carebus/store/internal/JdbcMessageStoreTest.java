package io.carebus.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.store.HistoryEntry;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.MessageWarning;
import io.carebus.api.store.MessageStore.StoreResult;
import io.carebus.api.store.StoredMessage;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's contract, run against embedded H2 here and against PostgreSQL by {@link PostgresMessageStoreTest}. */
class JdbcMessageStoreTest {

    @TempDir
    Path dir;

    protected DataSource dataSource;
    protected boolean h2 = true;
    private JdbcMessageStore store;

    /** The database under test, empty and migrated. */
    protected DataSource database() throws Exception {
        return StoreFactory.create(StoreFactory.embeddedH2Url(dir.resolve("store")), "", "");
    }

    @BeforeEach
    void open() throws Exception {
        dataSource = database();
        StoreFactory.migrate(dataSource);
        store = new JdbcMessageStore(dataSource, h2, Duration.ofHours(24), 64, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static InboundMessage hl7(String controlId, String sender, Instant at) {
        String raw = "MSH|^~\\&|" + sender + "|||20260101||ADT^A01|" + controlId + "|P|2.5\r";
        return new InboundMessage("mllp-2575", "10.0.0.7:51234", "HL7v2", "ADT^A01", "2.5", controlId, sender, at,
                raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void storesTheRawBytesAndMetadataAsReceived() {
        InboundMessage sent = hl7("MSG001", "LAB^HOSP", Instant.parse("2026-11-01T10:00:00Z"));
        StoreResult result = store.store(sent);

        assertThat(result.duplicate()).isFalse();
        StoredMessage stored = store.find(result.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(stored.message().payload()).isEqualTo(sent.payload());
        assertThat(stored.message().controlId()).isEqualTo("MSG001");
        assertThat(stored.message().sender()).isEqualTo("LAB^HOSP");
        assertThat(stored.message().receivedAt()).isEqualTo(sent.receivedAt());
        assertThat(store.unfinished("HL7v2")).containsExactly(result.messageId());
    }

    @Test
    void theSameControlIdFromTheSameSenderWithinTheWindowIsADuplicate() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        long first = store.store(hl7("MSG001", "LAB^HOSP", t)).messageId();
        StoreResult again = store.store(hl7("MSG001", "LAB^HOSP", t.plusSeconds(60)));
        StoreResult otherSender = store.store(hl7("MSG001", "ADT^HOSP", t.plusSeconds(60)));
        StoreResult afterWindow = store.store(hl7("MSG001", "LAB^HOSP", t.plus(Duration.ofHours(25))));

        assertThat(again.duplicateOf()).isEqualTo(first);
        assertThat(store.find(again.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.FILTERED);
        assertThat(otherSender.duplicate()).isFalse();
        assertThat(afterWindow.duplicate()).isFalse();
        assertThat(store.unfinished("HL7v2")).containsExactly(first, otherSender.messageId(), afterWindow.messageId());
    }

    private static InboundMessage hl7(String controlId, String sender, Instant at, String pid) {
        String raw = "MSH|^~\\&|" + sender + "|||20260101||ADT^A01|" + controlId + "|P|2.5\rPID|||" + pid + "\r";
        return new InboundMessage("mllp-2575", "10.0.0.7:51234", "HL7v2", "ADT^A01", "2.5", controlId, sender, at,
                raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anIdenticalRedeliveryIsADuplicateNotProcessedAgain() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        long first = store.store(hl7("MSG010", "LAB^HOSP", t, "P1")).messageId();
        StoreResult again = store.store(hl7("MSG010", "LAB^HOSP", t.plusSeconds(30), "P1"));

        assertThat(again.duplicateOf()).isEqualTo(first);
        assertThat(again.collision()).isFalse();
        StoredMessage stored = store.find(again.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.FILTERED);
        assertThat(stored.duplicateOf()).isEqualTo(first);
        assertThat(store.history(again.messageId())).extracting(HistoryEntry::note).containsExactly("duplicate of message " + first);
        assertThat(store.unfinished("HL7v2")).containsExactly(first);
    }

    @Test
    void theSameControlIdWithOtherContentIsProcessedAndFlaggedAsACollision() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        long first = store.store(hl7("MSG011", "LAB^HOSP", t, "P1")).messageId();
        StoreResult other = store.store(hl7("MSG011", "LAB^HOSP", t.plusSeconds(30), "P2"));

        assertThat(other.duplicate()).as("different content is never FILTERED").isFalse();
        assertThat(other.collidesWith()).isEqualTo(first);
        StoredMessage stored = store.find(other.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(stored.duplicateOf()).isNull();
        assertThat(store.history(other.messageId())).singleElement().extracting(HistoryEntry::note).asString()
                .contains("received on mllp-2575")
                .contains("warning: control id MSG011 already used by message " + first + " with different content");
        assertThat(store.unfinished("HL7v2")).containsExactly(first, other.messageId());

        // Each content redelivered is a duplicate of its own original, not of the other one, and not a collision.
        StoreResult firstAgain = store.store(hl7("MSG011", "LAB^HOSP", t.plusSeconds(60), "P1"));
        StoreResult otherAgain = store.store(hl7("MSG011", "LAB^HOSP", t.plusSeconds(60), "P2"));
        assertThat(firstAgain.duplicateOf()).isEqualTo(first);
        assertThat(otherAgain.duplicateOf()).isEqualTo(other.messageId());
        assertThat(otherAgain.collision()).isFalse();
        assertThat(store.unfinished("HL7v2")).containsExactly(first, other.messageId());
        // A plain message with its own control id collides with nothing.
        assertThat(store.store(hl7("MSG012", "LAB^HOSP", t, "P1")).collision()).isFalse();
    }

    @Test
    void rejectedMessagesAreKeptWithTheirReasonAndAreNotDuplicateOriginals() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        long rejected = store.storeRejected(hl7("MSG002", "LAB^HOSP", t), "203 unsupported version id 9.9");
        StoreResult resent = store.store(hl7("MSG002", "LAB^HOSP", t.plusSeconds(5)));

        StoredMessage stored = store.find(rejected).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.ERROR);
        assertThat(stored.error()).contains("unsupported version");
        assertThat(resent.duplicate()).as("a corrected resend of a refused message is processed").isFalse();
    }

    @Test
    void statusChangesAreRecordedInTheHistory() {
        long id = store.store(hl7("MSG003", "LAB^HOSP", Instant.now())).messageId();
        store.updateStatus(id, MessageStatus.PROCESSED, "route adt-to-fhir");

        assertThat(store.find(id).orElseThrow().status()).isEqualTo(MessageStatus.PROCESSED);
        assertThat(store.history(id)).extracting(HistoryEntry::status)
                .containsExactly(MessageStatus.RECEIVED, MessageStatus.PROCESSED);
        assertThat(store.unfinished("HL7v2")).isEmpty();
        assertThatThrownBy(() -> store.updateStatus(9999, MessageStatus.PROCESSED, "x")).hasMessageContaining("no message");
    }

    @Test
    void concurrentSendersAreAllStoredWithDistinctIdsAndSurviveAReopen() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        List<Future<?>> done = new ArrayList<>();
        for (int sender = 0; sender < 16; sender++) {
            int s = sender;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    ids.add(store.store(hl7("C" + i, "APP" + s + "^FAC", Instant.now())).messageId());
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(ids).hasSize(16 * 200);

        store.close();
        store = new JdbcMessageStore(dataSource, h2, Duration.ofHours(24), 64, Clock.systemUTC());
        assertThat(store.unfinished("HL7v2")).hasSize(16 * 200);
    }

    @Test
    void searchFiltersAndPagesNewestFirst() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        long a = store.store(hl7("A1", "LAB^HOSP", t)).messageId();
        long b = store.store(hl7("B1", "REG^HOSP", t.plusSeconds(10))).messageId();
        long c = store.storeRejected(hl7("C1", "LAB^HOSP", t.plusSeconds(20)), "203 bad version");

        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10)))
                .extracting(MessageSummary::id).containsExactly(c, b, a);
        assertThat(store.search(new MessageQuery(null, null, null, "LAB^HOSP", null, null, null, null, 10)))
                .extracting(MessageSummary::id).containsExactly(c, a);
        assertThat(store.search(new MessageQuery(null, MessageStatus.ERROR, null, null, null, null, null, null, 10)))
                .singleElement().satisfies(m -> assertThat(m.error()).contains("bad version"));
        assertThat(store.search(new MessageQuery("B1", null, "ADT^A0", null, t, t.plusSeconds(11), null, null, 10)))
                .extracting(MessageSummary::id).containsExactly(b);
        assertThat(store.search(new MessageQuery(null, null, "ADT%", null, null, null, null, null, 10))).as("LIKE is escaped").isEmpty();
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, c, 1)))
                .extracting(MessageSummary::id).containsExactly(b);
    }

    @Test
    void warningsAreStoredWithTheMessageInOrderCountedAndFilterable() {
        Instant t = Instant.parse("2026-11-01T10:00:00Z");
        List<MessageWarning> found = List.of(new MessageWarning("TQ1-4.1", "not a valid time (TM)", 8),
                new MessageWarning("OBX(2)-2", "data type CE withdrawn in 2.8; read as CE of 2.7", null));
        long clean = store.store(hl7("W0", "LAB^HOSP", t)).messageId();
        long warned = store.store(hl7("W1", "LAB^HOSP", t.plusSeconds(1)), found).messageId();

        assertThat(store.warnings(warned)).containsExactlyElementsOf(found);
        assertThat(store.warnings(clean)).isEmpty();
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10, true)))
                .singleElement().satisfies(m -> {
                    assertThat(m.id()).isEqualTo(warned);
                    assertThat(m.warnings()).isEqualTo(2);
                });
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10)))
                .extracting(MessageSummary::warnings).containsExactly(2, 0);
        // deferred sync takes them too, and a message broken everywhere keeps only the first MAX_WARNINGS
        List<MessageWarning> many = new ArrayList<>();
        for (int i = 0; i < JdbcMessageStore.MAX_WARNINGS + 5; i++) {
            many.add(new MessageWarning("OBX(" + (i + 1) + ")-5", "not a number (NM)", 3));
        }
        var committed = store.storeCommitted(hl7("W2", "LAB^HOSP", t.plusSeconds(2)), many);
        committed.awaitDurable();
        assertThat(store.warnings(committed.result().messageId())).hasSize(JdbcMessageStore.MAX_WARNINGS)
                .first().isEqualTo(many.get(0));
    }

    @Test
    void mappingWarningsAreStoredAfterIntakesAndAReprocessReplacesThemNotAddsToThem() {
        Instant t = Instant.parse("2026-11-02T10:00:00Z");
        MessageWarning atIntake = new MessageWarning("TQ1-4.1", "not a valid time (TM)", 8);
        MessageWarning badDate = new MessageWarning("PV1-44", "not a valid date/time (DTM)", 8);
        long withBoth = store.store(hl7("M1", "LAB^HOSP", t), List.of(atIntake)).messageId();
        long mappedOnly = store.store(hl7("M2", "LAB^HOSP", t.plusSeconds(1))).messageId();
        byte[] fhir = "{\"resourceType\":\"Bundle\"}".getBytes(StandardCharsets.UTF_8);

        store.complete(List.of(
                new io.carebus.api.store.Completion(withBoth, MessageStatus.PROCESSED, "done", fhir, List.of(), List.of(badDate)),
                new io.carebus.api.store.Completion(mappedOnly, MessageStatus.PROCESSED, "done", fhir, List.of(), List.of(badDate))));

        assertThat(store.warnings(withBoth)).containsExactly(atIntake, badDate);
        assertThat(store.warnings(mappedOnly)).containsExactly(badDate);
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10, true)))
                .extracting(MessageSummary::id, MessageSummary::warnings)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(mappedOnly, 1), org.assertj.core.groups.Tuple.tuple(withBoth, 2));

        // processed again: the new mapping's warnings replace the old ones; intake's stay; none left clears the flag
        store.complete(List.of(
                new io.carebus.api.store.Completion(withBoth, MessageStatus.PROCESSED, "again", fhir, List.of(), List.of(badDate)),
                new io.carebus.api.store.Completion(mappedOnly, MessageStatus.PROCESSED, "again", fhir, List.of(), List.of())));
        assertThat(store.warnings(withBoth)).containsExactly(atIntake, badDate);
        assertThat(store.warnings(mappedOnly)).isEmpty();
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10, true)))
                .extracting(MessageSummary::id, MessageSummary::warnings)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(withBoth, 2));
    }

    @Test
    void canonicalFormIsKeptAndItsPatientIdentifiersFindTheMessage() {
        long a = store.store(hl7("P1", "LAB^HOSP", Instant.now())).messageId();
        long b = store.store(hl7("P2", "LAB^HOSP", Instant.now())).messageId();
        assertThat(store.canonical(a)).isEmpty();

        store.attachCanonical(a, "{\"resourceType\":\"Bundle\"}".getBytes(StandardCharsets.UTF_8),
                List.of("urn:oid:1.2.3|MRN-1", "urn:oid:9.9|OTHER"));
        store.attachCanonical(b, "{}".getBytes(StandardCharsets.UTF_8), List.of("urn:oid:1.2.3|MRN-2"));

        assertThat(store.canonical(a)).hasValueSatisfying(j -> assertThat(new String(j, StandardCharsets.UTF_8)).contains("Bundle"));
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, "urn:oid:1.2.3|MRN-1", null, 10)))
                .extracting(MessageSummary::id).containsExactly(a);
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, "MRN-2", null, 10)))
                .as("the value alone finds it too").extracting(MessageSummary::id).containsExactly(b);
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, "MRN", null, 10))).isEmpty();

        store.attachCanonical(a, "{}".getBytes(StandardCharsets.UTF_8), List.of("urn:oid:1.2.3|MRN-3"));
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, "MRN-1", null, 10)))
                .as("a new mapping replaces the old index").isEmpty();
        assertThatThrownBy(() -> store.attachCanonical(999_999, new byte[0], List.of())).isInstanceOf(IllegalArgumentException.class);

        store.complete(List.of(new io.carebus.api.store.Completion(b, MessageStatus.PROCESSED, "done", "{\"v\":2}".getBytes(StandardCharsets.UTF_8), List.of("urn:oid:1.2.3|MRN-9"))));
        assertThat(store.find(b).orElseThrow().status()).isEqualTo(MessageStatus.PROCESSED);
        assertThat(new String(store.canonical(b).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":2}");
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, "MRN-9", null, 10)))
                .extracting(MessageSummary::id).containsExactly(b);
        assertThatThrownBy(() -> store.complete(List.of(
                new io.carebus.api.store.Completion(a, MessageStatus.PROCESSED, "fine", null, null),
                new io.carebus.api.store.Completion(999_999, MessageStatus.PROCESSED, "x", new byte[0], List.of()))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(a).orElseThrow().status()).as("a failed batch leaves nothing behind").isEqualTo(MessageStatus.RECEIVED);
    }

    @Test
    void aClosedStoreRefusesInsteadOfPretending() {
        store.close();
        assertThatThrownBy(() -> store.store(hl7("X", "A^B", Instant.now()))).isInstanceOf(StoreUnavailableException.class);
    }
}
