package io.carebus.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageWarning;
import io.carebus.metrics.MetricNames;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.StoreDatabases;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store readings against the engine's real schema (embedded H2, migrated by carebus-store) and a real registry. */
class StoreMetricsTest {

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private CloseableMessageStore store;
    private DataSource dataSource;

    @BeforeEach
    void open() {
        Path file = dir.resolve("store");
        store = MessageStores.openEmbedded(file, Duration.ofMinutes(5));
        dataSource = StoreDatabases.open(StoreDatabases.embeddedUrl(file), "", "");
    }

    @AfterEach
    void close() throws Exception {
        StoreDatabases.close(dataSource);
        store.close();
        registry.close();
    }

    private long store(String listener, String controlId, Instant at, int warnings) {
        InboundMessage message = new InboundMessage(listener, "127.0.0.1", "HL7v2", "ADT^A01", "2.5", controlId, "REG|HOSP", at,
                ("MSH|^~\\&|REG|HOSP|||||ADT^A01|" + controlId + "|P|2.5\r").getBytes(StandardCharsets.ISO_8859_1));
        List<MessageWarning> problems = java.util.stream.IntStream.range(0, warnings)
                .mapToObj(i -> new MessageWarning("PID-7", "not a date", 3)).toList();
        return store.store(message, problems).messageId();
    }

    @Test
    void countsMessagesReceivedSinceStartAndTheQueuesNow() throws Exception {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        StoreMetrics metrics = new StoreMetrics(registry, Clock.fixed(now, java.time.ZoneOffset.UTC), Duration.ofSeconds(2));
        store("main", "BEFORE-START", now.minusSeconds(60), 0);
        metrics.read(dataSource); // the counters start from the store's end: what was there before is not counted

        store("main", "A", now.minusSeconds(10), 2);
        long failed = store("main", "B", now.minusSeconds(9), 0);
        store("secure", "C", now.minusSeconds(8), 1);
        store("main", "TOO-FRESH", now.minusMillis(500), 0); // inside the commit lag: counted next time
        store.updateStatus(failed, MessageStatus.ERROR, "route failed");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO fhir_outbox (ehr, resource_type, identifier_system, identifier_value, body, status, attempts, "
                    + "created_millis, next_attempt_millis) VALUES ('ehr1', 'RiskAssessment', 'urn:x', '1', X'00', 'DEAD', 5, 0, 0), "
                    + "('ehr1', 'RiskAssessment', 'urn:x', '2', X'00', 'PENDING', 0, 0, 0), "
                    + "('ehr1', 'RiskAssessment', 'urn:x', '3', X'00', 'DELIVERED', 1, 0, 0)");
        }
        metrics.read(dataSource);

        assertThat(counter(MetricNames.MESSAGES_RECEIVED, "main")).isEqualTo(2);
        assertThat(counter(MetricNames.MESSAGES_RECEIVED, "secure")).isEqualTo(1);
        assertThat(counter(MetricNames.MESSAGE_WARNINGS, "main")).isEqualTo(2);
        assertThat(gauge(MetricNames.STORE_MESSAGES, "listener", "main", "status", "ERROR")).isEqualTo(1);
        // BEFORE-START, A and TOO-FRESH wait to be processed on main.
        assertThat(gauge(MetricNames.STORE_MESSAGES, "listener", "main", "status", "RECEIVED")).isEqualTo(3);
        assertThat(gauge(MetricNames.OUTBOX_ENTRIES, "ehr", "ehr1", "status", "DEAD")).isEqualTo(1);
        assertThat(gauge(MetricNames.OUTBOX_ENTRIES, "ehr", "ehr1", "status", "PENDING")).isEqualTo(1);
        assertThat(registry.find(MetricNames.OUTBOX_ENTRIES).tag("status", "DELIVERED").gauge()).isNull();

        store.updateStatus(failed, MessageStatus.PROCESSED, "reprocessed");
        metrics.read(dataSource);
        assertThat(gauge(MetricNames.STORE_MESSAGES, "listener", "main", "status", "ERROR"))
                .as("an emptied queue reads 0, it does not vanish").isEqualTo(0);
        assertThat(gauge(MetricNames.STORE_MESSAGES, "listener", "secure", "status", "ERROR")).isEqualTo(0);
        assertThat(counter(MetricNames.MESSAGES_RECEIVED, "main")).as("nothing counted twice").isEqualTo(2);
        assertThat(registry.scrape()).contains("carebus_messages_received_total{listener=\"main\",protocol=\"HL7v2\"} 2.0")
                .contains("carebus_outbox_entries{ehr=\"ehr1\",status=\"DEAD\"} 1.0");
    }

    @Test
    void endToEndIsFromReceiptInTheStoreToTheRouteCompleting() throws Exception {
        Instant received = Instant.parse("2026-12-05T12:00:00Z");
        long id = store("main", "E2E", received, 0);
        EndToEndLatency latency = new EndToEndLatency(registry, 10, HistogramBuckets.parse(new String[] {"1000", "5000"}));
        latency.completed(id, "hl7-inbound", received.toEpochMilli() + 1_500);
        latency.completed(Long.MAX_VALUE, "hl7-inbound", received.toEpochMilli()); // not in the store: dropped

        assertThat(latency.resolve(dataSource)).isEqualTo(1);
        Timer timer = registry.find(MetricNames.MESSAGE_END_TO_END).tag("route", "hl7-inbound").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1_500.0);
        assertThat(registry.find(MetricNames.MESSAGE_END_TO_END_DROPPED).counter().count()).isEqualTo(1);
        assertThat(registry.scrape()).contains(
                "carebus_message_end_to_end_seconds_bucket{route=\"hl7-inbound\",le=\"1.0\"} 0",
                "carebus_message_end_to_end_seconds_bucket{route=\"hl7-inbound\",le=\"5.0\"} 1");
    }

    @Test
    void pastItsCapTheEndToEndQueueCountsInsteadOfGrowing() {
        EndToEndLatency latency = new EndToEndLatency(registry, 2, HistogramBuckets.parse(new String[] {"1000"}));
        for (int i = 0; i < 5; i++) {
            latency.completed(i, "r", 0);
        }
        assertThat(latency.waiting()).isEqualTo(2);
        assertThat(registry.find(MetricNames.MESSAGE_END_TO_END_DROPPED).counter().count()).isEqualTo(3);
    }

    private double counter(String name, String listener) {
        return registry.find(name).tag("listener", listener).counter().count();
    }

    private double gauge(String name, String k1, String v1, String k2, String v2) {
        return registry.find(name).tag(k1, v1).tag(k2, v2).gauge().value();
    }
}
