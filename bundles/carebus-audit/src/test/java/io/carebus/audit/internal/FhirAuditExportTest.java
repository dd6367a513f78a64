package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditEntry;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AuditEvent export to a real HAPI FHIR server: batched, authenticated, idempotent, patient through a 503 spell. */
class FhirAuditExportTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    Path dir;

    private DataSource dataSource;
    private JdbcAuditLog log;
    private AuditEventFhirServer server;
    private AuditExporter exporter;

    @BeforeEach
    void open() throws Exception {
        dataSource = StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
        log = new JdbcAuditLog(dataSource, true,
                new ChainKeys("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII))), 64);
        server = new AuditEventFhirServer(FHIR, "s3cret");
    }

    @AfterEach
    void close() throws Exception {
        if (exporter != null) {
            exporter.stop();
        }
        log.close();
        server.close();
    }

    private static AuditRecord record(int i) {
        return new AuditRecord(Instant.ofEpochMilli(1_700_000_000_000L + i), "node 1/a", "user:alice", "10.0.0.9",
                AuditAction.READ, AuditRecord.Outcome.SUCCESS, List.of("message/" + i, "patient/PSEUDO-" + (i % 4)),
                null, null, null, null, "read " + i);
    }

    private FhirAuditSink sink(String token) {
        return new FhirAuditSink(FHIR, server.baseUrl(), "bearer", "", token, 10, "node 1/a");
    }

    private void awaitCursor(long seq) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (exporter.cursor() < seq && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void everyRecordBecomesOneAuditEventUnderAnIdMadeOfNodeAndSequence() throws Exception {
        for (int i = 1; i <= 35; i++) {
            log.append(record(i));
        }
        server.unavailableFor.set(2); // the first two batches meet a 503 with Retry-After: 1
        exporter = new AuditExporter(sink("s3cret"), JdbcAuditLog.reader(dataSource), new ExportCursors(dataSource), 25, 50, 2000, Clock.systemUTC());
        exporter.start(false);
        new Thread(exporter).start();
        awaitCursor(35);

        assertThat(exporter.cursor()).isEqualTo(35);
        assertThat(server.events).hasSize(35);
        assertThat(server.batches.get()).isEqualTo(4); // 25 read per round, 10 per batch: 10+10+5, then 10
        AuditEntry first = JdbcAuditLog.entries(dataSource, 1, 1).get(0);
        AuditEvent stored = server.events.get("carebus-node-1-a-1");
        assertThat(stored).isNotNull();
        assertThat(stored.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("user:alice");
        assertThat(stored.getEntity()).anySatisfy(e -> assertThat(e.getWhat().getIdentifier().getValue()).isEqualTo("patient/PSEUDO-1"));
        assertThat(stored.getEntity()).anySatisfy(e -> assertThat(e.getDetail())
                .anySatisfy(d -> assertThat(d.getValueStringType().getValue()).isEqualTo(first.chainHash())));
    }

    @Test
    void sendingTheSameRecordsAgainDoesNotDuplicateThem() throws Exception {
        for (int i = 1; i <= 12; i++) {
            log.append(record(i));
        }
        FhirAuditSink sink = sink("s3cret");
        List<AuditEntry> entries = JdbcAuditLog.entries(dataSource, 1, 100);
        assertThat(sink.send(entries)).isZero();
        assertThat(sink.send(entries)).isZero(); // e.g. the engine died between the send and the cursor update
        assertThat(server.events).hasSize(12);
    }

    @Test
    void aWrongTokenKeepsTheCursorAndReportsTheFailure() throws Exception {
        log.append(record(1));
        exporter = new AuditExporter(sink("wrong"), JdbcAuditLog.reader(dataSource), new ExportCursors(dataSource), 25, 50, 1000, Clock.systemUTC());
        exporter.start(false);
        new Thread(exporter).start();
        AtnaExportTest.awaitFailure(exporter);
        assertThat(exporter.cursor()).isZero();
        assertThat(exporter.details().get("lastError").toString()).contains("401");
        assertThat(server.events).isEmpty();
    }
}
