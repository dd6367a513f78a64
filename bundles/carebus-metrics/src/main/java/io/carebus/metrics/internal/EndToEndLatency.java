package io.carebus.metrics.internal;

import io.carebus.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A message's time from receipt to its processing route completing. The route sees the message's store id, not when
 * it arrived; the arrival time is in the store ({@code message.received_at}), so completions wait in a bounded queue
 * and are resolved in batches, one primary-key query per {@value #CHUNK} messages, off the routes' threads. Past the
 * cap a completion is counted as dropped instead of growing memory while the store is slow or away.
 */
final class EndToEndLatency {

    static final int CHUNK = 500;

    private record Completion(long messageId, String route, long completedMillis) {
    }

    private final MeterRegistry registry;
    private final Duration[] slos;
    private final BlockingQueue<Completion> waiting;
    private final Counter dropped;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    EndToEndLatency(MeterRegistry registry, int capacity, Duration[] slos) {
        this.registry = registry;
        this.slos = slos.clone();
        this.waiting = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.dropped = Counter.builder(MetricNames.MESSAGE_END_TO_END_DROPPED).register(registry);
    }

    /** Called on a route's thread: only queues. */
    void completed(long messageId, String route, long completedMillis) {
        if (!waiting.offer(new Completion(messageId, route, completedMillis))) {
            dropped.increment();
        }
    }

    int waiting() {
        return waiting.size();
    }

    /** Looks up the receipt times of the queued completions and records them; returns how many were recorded. */
    int resolve(DataSource dataSource) throws SQLException {
        List<Completion> batch = new ArrayList<>();
        int recorded = 0;
        try (Connection connection = dataSource.getConnection()) {
            while (waiting.drainTo(batch, CHUNK) > 0) {
                try {
                    recorded += resolveChunk(connection, batch);
                } catch (SQLException e) {
                    // The store is away: these samples are lost (counted), the next ones are tried next time.
                    dropped.increment(batch.size());
                    throw e;
                } finally {
                    batch.clear();
                }
            }
        }
        return recorded;
    }

    private int resolveChunk(Connection connection, List<Completion> batch) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, received_at FROM message WHERE id IN (");
        for (int i = 0; i < batch.size(); i++) {
            sql.append(i == 0 ? "?" : ",?");
        }
        sql.append(')');
        Map<Long, Long> receivedMillis = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < batch.size(); i++) {
                select.setLong(i + 1, batch.get(i).messageId());
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Timestamp at = rows.getTimestamp(2);
                    receivedMillis.put(rows.getLong(1), at.getTime());
                }
            }
        }
        int recorded = 0;
        for (Completion c : batch) {
            Long received = receivedMillis.get(c.messageId());
            if (received == null) {
                dropped.increment(); // pruned by retention before we looked: no receipt time to measure from
                continue;
            }
            timers.computeIfAbsent(c.route(), route -> Timer.builder(MetricNames.MESSAGE_END_TO_END).tag("route", route)
                            .serviceLevelObjectives(slos).register(registry))
                    .record(Math.max(0, c.completedMillis() - received), TimeUnit.MILLISECONDS);
            recorded++;
        }
        return recorded;
    }
}
