package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox as several appliances on one database see it (issue 24: "several appliances sharing one PostgreSQL never
 * send the same row twice"): two outboxes over one database, each claiming with a lease, never get the same entry;
 * what a sender claimed and did not try is released for the next claim. The claiming itself runs on PostgreSQL in
 * carebus-store's DeliveryQueueTest.
 */
class OutboxClaimTest {

    @TempDir
    Path dir;

    @Test
    void twoAppliancesNeverGetTheSameEntryAndAnUntriedOneIsReleased() {
        DataSource database = StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
        JdbcOutbox first = new JdbcOutbox(database, Clock.systemUTC(), JdbcOutbox.SHARED_DATABASE_LEASE_MILLIS);
        JdbcOutbox second = new JdbcOutbox(database, Clock.systemUTC(), JdbcOutbox.SHARED_DATABASE_LEASE_MILLIS);
        for (int i = 0; i < 10; i++) {
            first.enqueue(new JdbcOutbox.Item("epic", "Observation", "urn:carebus:node-a", "o" + i, null, null, null,
                    "{}".getBytes(StandardCharsets.UTF_8)), false);
        }
        List<JdbcOutbox.Due> a = first.due("epic", 6);
        List<JdbcOutbox.Due> b = second.due("epic", 6);
        assertThat(a).hasSize(6);
        assertThat(b).hasSize(4);
        List<Long> all = new ArrayList<>();
        a.forEach(d -> all.add(d.id()));
        b.forEach(d -> all.add(d.id()));
        assertThat(all).doesNotHaveDuplicates().hasSize(10);
        assertThat(first.due("epic", 10)).as("everything is claimed").isEmpty();

        first.delivered(a.get(0), 1, 201, "Observation/1", "created");
        first.release(a.subList(1, a.size()));
        assertThat(second.due("epic", 10)).extracting(JdbcOutbox.Due::id)
                .containsExactlyElementsOf(a.subList(1, a.size()).stream().map(JdbcOutbox.Due::id).toList());
    }
}
