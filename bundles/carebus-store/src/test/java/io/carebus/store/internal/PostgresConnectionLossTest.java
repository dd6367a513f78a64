package io.carebus.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The message store keeps its PostgreSQL connections in a pool; when the database drops them (a restart, a failover,
 * an administrator ending sessions), the store must come back by itself: each dead connection costs at most the one
 * call that finds it dead, which the sender sees as a refusal and retries.
 */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresConnectionLossTest {

    private static final String URL = System.getenv("CAREBUS_TEST_PG_URL");
    private static final String USER = System.getenv("CAREBUS_TEST_PG_USER");
    private static final String PASSWORD = System.getenv("CAREBUS_TEST_PG_PASSWORD");

    private static InboundMessage message(String controlId) {
        return new InboundMessage("main", "127.0.0.1", "HL7v2", "ADT^A01", "2.5", controlId, "LAB|HOSP", Instant.now(),
                ("MSH|^~\\&|LAB|HOSP|||20260101||ADT^A01|" + controlId + "|P|2.5\r").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void connectionsEndedByTheDatabaseCostAtMostOneFailedCallEach() throws Exception {
        try (JdbcMessageStore store = StoreFactory.open(URL, USER, PASSWORD, Duration.ofHours(1), 64)) {
            long first = store.store(message("before-" + System.nanoTime())).messageId();
            // several connections in the pool: concurrent readers
            Thread[] readers = new Thread[6];
            for (int i = 0; i < readers.length; i++) {
                readers[i] = new Thread(() -> {
                    for (int k = 0; k < 50; k++) {
                        store.find(first);
                    }
                });
                readers[i].start();
            }
            for (Thread t : readers) {
                t.join();
            }

            int ended;
            try (Connection admin = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = admin.createStatement();
                 var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                         + " WHERE usename = current_user AND pid <> pg_backend_pid()")) {
                rs.next();
                ended = rs.getInt(1);
            }
            assertThat(ended).as("the store's connections the database ended").isGreaterThanOrEqualTo(2);

            int[] failures = new int[1];
            long stored = retry(() -> store.store(message("after-" + System.nanoTime())).messageId(), failures);
            Optional<?> found = retry(() -> store.find(stored), failures);
            assertThat(found).isPresent();
            assertThat(failures[0]).as("failed calls before the store worked again").isLessThanOrEqualTo(ended);
            // and from then on, no more failures
            for (int i = 0; i < 20; i++) {
                assertThat(store.find(store.store(message("steady-" + i + "-" + System.nanoTime())).messageId())).isPresent();
            }
        }
    }

    private static <T> T retry(Supplier<T> call, int[] failures) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (StoreUnavailableException e) {
                failures[0]++;
                if (attempt > PooledEngineDatabase.POOLED_CONNECTIONS + 2) {
                    throw e;
                }
            }
        }
    }
}
