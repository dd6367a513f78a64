package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScoreWatcherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode bundle(String... ras) throws Exception {
        return JSON.readTree("{\"resourceType\":\"Bundle\",\"entry\":[" + String.join(",", ras) + "]}");
    }

    private static String ra(String id, String lastUpdated, String occurrence, Double p) {
        return "{\"resource\":{\"resourceType\":\"RiskAssessment\",\"id\":\"" + id + "\",\"meta\":{\"lastUpdated\":\"" + lastUpdated
                + "\"},\"occurrenceDateTime\":\"" + occurrence + "\""
                + (p == null ? "" : ",\"prediction\":[{\"probabilityDecimal\":" + p + "}]") + "}}";
    }

    @Test
    void aStoredTimeWithMillisecondsGivesTheLatencyFromTheAckBeforeIt() throws Exception {
        try (ScoreWatcher w = new ScoreWatcher(null, 30_000, 1, m -> { })) {
            w.addPatient("M1", true);
            w.searchAvailable();
            long ackNanos = 1_000_000_000L;
            long ackWall = Instant.parse("2026-10-01T10:00:00.000Z").toEpochMilli();
            w.trigger("M1", Instant.parse("2026-10-01T09:55:00Z"), ackNanos, ackWall);
            // Seen 500 ms after the ACK, stored 40 ms after it.
            w.absorb(w.state("M1"), bundle(ra("r1", "2026-10-01T10:00:00.040+00:00", "2026-10-01T09:55:00+00:00", 0.72)),
                    ackNanos + 500_000_000L, ackWall + 500);
            ScoreWatcher.Stats s = w.stats();
            assertThat(s.latenciesMs()).containsExactly(40.0);
            assertThat(s.fromLastUpdated()).isEqualTo(1);
            assertThat(s.scores()).isEqualTo(1);
            assertThat(w.pendingCount()).isZero();
            // The same RiskAssessment seen again is not a new score.
            w.absorb(w.state("M1"), bundle(ra("r1", "2026-10-01T10:00:00.040+00:00", "2026-10-01T09:55:00+00:00", 0.72)),
                    ackNanos + 900_000_000L, ackWall + 900);
            assertThat(w.stats().scores()).isEqualTo(1);
        }
    }

    @Test
    void withoutMillisecondsTheAsOfTimePicksTheTriggerAndEarlierOnesAreCoveredByIt() throws Exception {
        try (ScoreWatcher w = new ScoreWatcher(null, 30_000, 1, m -> { })) {
            w.addPatient("M1", true);
            w.searchAvailable();
            w.trigger("M1", Instant.parse("2026-10-01T09:50:00Z"), 1_000_000_000L, 0);
            w.trigger("M1", Instant.parse("2026-10-01T09:55:00Z"), 2_000_000_000L, 0);
            w.trigger("M1", Instant.parse("2026-10-01T10:00:00Z"), 3_000_000_000L, 0);
            // One (debounced) score as of 09:55, seen at 2.3 s: the 09:55 trigger, 300 ms; the 09:50 one is covered.
            w.absorb(w.state("M1"), bundle(ra("r1", "2026-10-01T10:00:02+00:00", "2026-10-01T09:55:00+00:00", 0.1)),
                    2_300_000_000L, System.currentTimeMillis());
            assertThat(w.stats().latenciesMs()).containsExactly(300.0);
            assertThat(w.stats().fromPollTime()).isEqualTo(1);
            assertThat(w.pendingCount()).isEqualTo(1);
        }
    }

    @Test
    void triggersNotScoredInTimeAreDroppedAndCountedAndInsufficientDataIsNoScore() throws Exception {
        try (ScoreWatcher w = new ScoreWatcher(null, 1_000, 1, m -> { })) {
            w.addPatient("M1", true);
            w.addPatient("M2", false);
            w.searchAvailable();
            w.trigger("M1", Instant.parse("2026-10-01T09:50:00Z"), 0, 0);
            w.trigger("M2", Instant.parse("2026-10-01T09:50:00Z"), 0, 0); // not a probe: not measured
            assertThat(w.pendingCount()).isEqualTo(1);
            w.absorb(w.state("M1"), bundle(), 2_000_000_000L, 0);
            assertThat(w.stats().timedOut()).isEqualTo(1);
            w.absorb(w.state("M2"), bundle(ra("r9", "2026-10-01T10:00:02+00:00", "2026-10-01T09:55:00+00:00", null)), 0, 0);
            assertThat(w.stats().insufficient()).isEqualTo(1);
            assertThat(w.stats().patientsScored()).isZero();
        }
    }
}
