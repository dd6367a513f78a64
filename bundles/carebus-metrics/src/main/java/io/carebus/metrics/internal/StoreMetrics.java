package io.carebus.metrics.internal;

import io.carebus.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The store's numbers, read from the engine database on a schedule (never on a scrape, so a scrape costs no query):
 * messages received and their intake warnings per listener (counters, from the rows added since the last reading),
 * messages waiting (RECEIVED) and failed (ERROR) per listener, the FHIR outbox and the DICOM forward queue by
 * status. Every query reads an index: the primary key from the last id seen, or the (status, ...) indexes.
 *
 * <p>Counting new rows by id: ids are handed out when a row is inserted, and a transaction may commit after one with
 * a higher id. So a reading only takes rows received at least {@code commitLag} ago; a row committed later than that
 * after its receipt is not counted.
 */
final class StoreMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Duration commitLag;
    private final MultiGauge storeMessages;
    private final MultiGauge outbox;
    private final MultiGauge dicomForward;
    private final AtomicLong readMicros = new AtomicLong(-1);
    /** (listener, protocol) of every listener that received a message since start. */
    private final Set<Tags> listeners = new LinkedHashSet<>();
    /** The highest message id counted; -1 until the first reading, which starts the counters from the store's end. */
    private long lastId = -1;

    StoreMetrics(MeterRegistry registry, Clock clock, Duration commitLag) {
        this.registry = registry;
        this.clock = clock;
        this.commitLag = commitLag;
        this.storeMessages = MultiGauge.builder(MetricNames.STORE_MESSAGES).register(registry);
        this.outbox = MultiGauge.builder(MetricNames.OUTBOX_ENTRIES).register(registry);
        this.dicomForward = MultiGauge.builder(MetricNames.DICOM_FORWARD_ENTRIES).register(registry);
        registry.gauge(MetricNames.STORE_READ, readMicros, v -> v.get() < 0 ? -1 : v.get() / 1e6);
    }

    /** One reading of the store; on failure the gauges keep their last values and the read gauge says -1. */
    synchronized void read(DataSource dataSource) throws SQLException {
        long start = System.nanoTime();
        readMicros.set(-1);
        try (Connection connection = dataSource.getConnection()) {
            countNewMessages(connection);
            storeMessages.register(withZeros(rows(connection,
                    "SELECT listener, protocol, status, COUNT(*) FROM message WHERE status IN ('RECEIVED', 'ERROR') "
                            + "GROUP BY listener, protocol, status", "listener", "protocol", "status"),
                    listeners, "RECEIVED", "ERROR"), true);
            outbox.register(withZeros(rows(connection,
                    "SELECT ehr, status, COUNT(*) FROM fhir_outbox WHERE status IN ('PENDING', 'DEAD') GROUP BY ehr, status",
                    "ehr", "status"), distinct(connection, "SELECT DISTINCT ehr FROM fhir_outbox", "ehr"), "PENDING", "DEAD"), true);
            dicomForward.register(gaugeRows(rows(connection,
                    "SELECT destination, status, COUNT(*) FROM dicom_forward WHERE status IN ('PENDING', 'DEAD') "
                            + "GROUP BY destination, status", "destination", "status")), true);
        }
        readMicros.set((System.nanoTime() - start) / 1000);
    }

    private void countNewMessages(Connection connection) throws SQLException {
        Timestamp settled = Timestamp.from(clock.instant().minus(commitLag));
        if (lastId < 0) {
            try (PreparedStatement max = connection.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM message WHERE received_at <= ?")) {
                max.setTimestamp(1, settled);
                try (ResultSet row = max.executeQuery()) {
                    row.next();
                    lastId = row.getLong(1);
                }
            }
            return;
        }
        long highest = lastId;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT listener, protocol, COUNT(*), SUM(warning_count), MAX(id) FROM message "
                        + "WHERE id > ? AND received_at <= ? GROUP BY listener, protocol")) {
            select.setLong(1, lastId);
            select.setTimestamp(2, settled);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Tags tags = Tags.of("listener", rows.getString(1), "protocol", rows.getString(2));
                    listeners.add(tags);
                    Counter.builder(MetricNames.MESSAGES_RECEIVED).tags(tags).register(registry).increment(rows.getLong(3));
                    Counter.builder(MetricNames.MESSAGE_WARNINGS).tags(tags).register(registry).increment(rows.getLong(4));
                    highest = Math.max(highest, rows.getLong(5));
                }
            }
        }
        lastId = highest;
    }

    /**
     * The rows plus a 0 for each status a known source (listener, EHR) has none in: a queue that empties reads 0,
     * rather than vanishing from the scrape and from every dashboard panel with it.
     */
    private static List<MultiGauge.Row<?>> withZeros(Map<Tags, Long> counts, Set<Tags> sources, String... statuses) {
        Map<Tags, Long> all = new LinkedHashMap<>(counts);
        for (Tags source : sources) {
            for (String status : statuses) {
                all.putIfAbsent(source.and("status", status), 0L);
            }
        }
        return gaugeRows(all);
    }

    private static List<MultiGauge.Row<?>> gaugeRows(Map<Tags, Long> counts) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((tags, count) -> rows.add(MultiGauge.Row.of(tags, count)));
        return rows;
    }

    private static Set<Tags> distinct(Connection connection, String sql, String tagName) throws SQLException {
        Set<Tags> values = new LinkedHashSet<>();
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet result = select.executeQuery()) {
            while (result.next()) {
                values.add(Tags.of(tagName, String.valueOf(result.getString(1))));
            }
        }
        return values;
    }

    /** Rows of (tag values..., count) as gauge rows; the last column is the value. */
    private static Map<Tags, Long> rows(Connection connection, String sql, String... tagNames) throws SQLException {
        Map<Tags, Long> rows = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet result = select.executeQuery()) {
            while (result.next()) {
                String[] keyValues = new String[tagNames.length * 2];
                for (int i = 0; i < tagNames.length; i++) {
                    keyValues[2 * i] = tagNames[i];
                    String value = result.getString(i + 1);
                    keyValues[2 * i + 1] = value == null ? "none" : value;
                }
                rows.put(Tags.of(keyValues), result.getLong(tagNames.length + 1));
            }
        }
        return rows;
    }
}
