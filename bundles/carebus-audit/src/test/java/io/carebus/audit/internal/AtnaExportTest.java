package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.model.ModelId;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openehealth.ipf.commons.audit.codes.EventIdCode;
import org.openehealth.ipf.commons.audit.codes.EventOutcomeIndicator;
import org.openehealth.ipf.commons.audit.codes.ParticipantObjectTypeCodeRole;
import org.openehealth.ipf.commons.audit.model.AuditMessage;
import org.openehealth.ipf.commons.audit.model.ParticipantObjectIdentificationType;
import org.openehealth.ipf.commons.audit.unmarshal.dicom.DICOMAuditParser;

/**
 * ATNA export to a real collector: rsyslog from Debian, syslog over TLS with mutual authentication. Records appended
 * while the collector is down arrive once it is up, in order, each exactly once, and parse back (with IPF's parser)
 * into the facts of the record, chain hash included.
 */
class AtnaExportTest {

    @TempDir
    Path dir;

    private DataSource dataSource;
    private JdbcAuditLog log;
    private RsyslogTlsCollector collector;
    private AuditExporter exporter;

    @BeforeEach
    void open() throws Exception {
        // ./carebus.sh test installs rsyslog; a developer machine without it skips, CI must not.
        if (RsyslogTlsCollector.rsyslogd() == null) {
            Assumptions.assumeTrue(System.getenv("CI") == null, "rsyslogd missing");
            throw new IllegalStateException("rsyslogd is not installed (./carebus.sh test installs it)");
        }
        dataSource = StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
        ChainKeys keys = new ChainKeys("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        log = new JdbcAuditLog(dataSource, true, keys, 64);
        collector = new RsyslogTlsCollector(dir);
    }

    @AfterEach
    void close() throws Exception {
        if (exporter != null) {
            exporter.stop();
        }
        if (log != null) {
            log.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    private static AuditRecord record(int i) {
        ModelId model = i % 5 == 0 ? new ModelId("sepsis-risk", "1.2.0", new Sha256("ab".repeat(32))) : null;
        return new AuditRecord(Instant.ofEpochMilli(1_700_000_000_000L + i), "node-1", i % 2 == 0 ? "system:hl7" : "user:alice",
                "10.0.0." + i, i % 5 == 0 ? AuditAction.INFER : AuditAction.RECEIVE,
                i == 7 ? AuditRecord.Outcome.SERIOUS_FAILURE : AuditRecord.Outcome.SUCCESS,
                List.of("message/" + i, "patient/PSEUDO-" + (i % 3)), "hl7-inbound", model, new Sha256("%064x".formatted(i)), null,
                "event " + i);
    }

    private AuditExporter exporter(String host, boolean clientCertificate) {
        ExportSink sink = new AtnaSyslogSink(host, collector.port, "TLS", ClientTls.socketFactory(
                clientCertificate ? collector.clientKeyStore().toString() : "", RsyslogTlsCollector.STORE_PASSWORD,
                collector.trustStore().toString(), RsyslogTlsCollector.STORE_PASSWORD, true));
        return new AuditExporter(sink, JdbcAuditLog.reader(dataSource), new ExportCursors(dataSource), 20, 50, 1000, Clock.systemUTC());
    }

    /** Until the exporter has failed at least once (its last error is set). */
    static void awaitFailure(AuditExporter exporter) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (exporter.details().get("lastError").toString().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void recordsAppendedWhileTheCollectorIsDownArriveOnceInOrderAndParseBack() throws Exception {
        for (int i = 1; i <= 30; i++) {
            log.append(record(i));
        }
        exporter = exporter("localhost", true);
        exporter.start(false);
        new Thread(exporter).start();
        awaitFailure(exporter); // the collector is not up: sends fail and the cursor must stay put
        assertThat(exporter.cursor()).isZero();
        assertThat(exporter.details().get("lastError").toString()).isNotEmpty();

        collector.start();
        for (int i = 31; i <= 45; i++) {
            log.append(record(i));
        }
        List<String> lines = collector.awaitLines(45, Duration.ofSeconds(30));
        // Instead of a quiet window: the exporter's own books say every record went out once and its cursor is past
        // the last, so nothing is left to send again; the collector holds exactly that many lines.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (exporter.cursor() < 45 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(exporter.cursor()).isEqualTo(45);
        assertThat(exporter.details().get("sent")).isEqualTo(45L);
        assertThat(collector.received()).hasSize(45);
        List<AuditEntry> stored = JdbcAuditLog.entries(dataSource, 1, 100);
        DICOMAuditParser parser = new DICOMAuditParser();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertThat(line).startsWith("IHE+RFC-3881 CareBus ");
            String xml = line.substring(line.indexOf('<'));
            AuditMessage message = parser.parse(xml, true);
            AuditEntry entry = stored.get(i);
            AuditRecord r = entry.record();
            assertThat(message.getEventIdentification().getEventID().getCode()).isEqualTo(
                    (r.action() == AuditAction.INFER ? EventIdCode.ApplicationActivity : EventIdCode.Import).getValue().getCode());
            assertThat(message.getEventIdentification().getEventTypeCode().get(0).getCode()).isEqualTo(r.action().name());
            assertThat(message.getEventIdentification().getEventDateTime()).isEqualTo(r.at());
            assertThat(message.getEventIdentification().getEventOutcomeIndicator()).isEqualTo(
                    entry.seq() == 7 ? EventOutcomeIndicator.SeriousFailure : EventOutcomeIndicator.Success);
            assertThat(message.getActiveParticipants().get(0).getUserID()).isEqualTo(r.actor());
            assertThat(message.getActiveParticipants().get(0).getNetworkAccessPointID()).isEqualTo(r.remoteAddress());
            assertThat(message.getAuditSourceIdentification().getAuditSourceID()).isEqualTo("node-1");
            ParticipantObjectIdentificationType patient = message.getParticipantObjectIdentifications().stream()
                    .filter(p -> p.getParticipantObjectTypeCodeRole() == ParticipantObjectTypeCodeRole.Patient).findFirst().orElse(null);
            assertNotNull(patient);
            assertThat(patient.getParticipantObjectID()).isEqualTo("patient/PSEUDO-" + (entry.seq() % 3));
            ParticipantObjectIdentificationType chain = message.getParticipantObjectIdentifications().stream()
                    .filter(p -> p.getParticipantObjectIDTypeCode().getCode().equals("chain-record")).findFirst().orElseThrow();
            assertThat(chain.getParticipantObjectID()).isEqualTo(Long.toString(entry.seq()));
            assertThat(chain.getParticipantObjectDetails()).anySatisfy(d -> {
                assertThat(d.getType()).isEqualTo("chain-hash");
                assertThat(new String(d.getValue(), StandardCharsets.UTF_8)).isEqualTo(entry.chainHash());
            });
            if (r.model() != null) {
                assertThat(message.getParticipantObjectIdentifications())
                        .anySatisfy(p -> assertThat(p.getParticipantObjectID()).isEqualTo("sepsis-risk@1.2.0"));
            }
        }
        assertThat(new ExportCursors(dataSource).get(exporter.destination()).getAsLong()).isEqualTo(45);
    }

    @Test
    void aCollectorWhoseCertificateDoesNotNameTheConfiguredHostGetsNothing() throws Exception {
        collector.start();
        log.append(record(1));
        exporter = exporter("127.0.0.1", true); // the server certificate names only DNS:localhost
        exporter.start(false);
        new Thread(exporter).start();
        awaitFailure(exporter);
        assertThat(exporter.cursor()).isZero();
        assertThat(exporter.details().get("lastError").toString()).containsIgnoringCase("certificate");
        assertThat(collector.received()).isEmpty();
    }
}
