package io.carebus.api.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthReportTest {

    @Test
    void statusFollowsProblems() {
        assertThat(HealthReport.of(List.of(), Map.of()).isUp()).isTrue();
        HealthReport down = HealthReport.of(List.of("route r1 is Stopped"), Map.of("routes", 1));
        assertThat(down.status()).isEqualTo(HealthReport.Status.DOWN);
        assertThat(down.problems()).containsExactly("route r1 is Stopped");
    }

    @Test
    void upWithProblemsIsRefused() {
        assertThatThrownBy(() -> new HealthReport(HealthReport.Status.UP, List.of("broken"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HealthReport(HealthReport.Status.DOWN, List.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void warningsAloneDegradeAndAProblemStillTakesItDown() {
        HealthReport degraded = HealthReport.of(List.of(), List.of("demo vendor trusted"), Map.of());
        assertThat(degraded.status()).isEqualTo(HealthReport.Status.DEGRADED);
        assertThat(degraded.problems()).containsExactly("demo vendor trusted");
        HealthReport down = HealthReport.of(List.of("store down"), List.of("demo vendor trusted"), Map.of());
        assertThat(down.status()).isEqualTo(HealthReport.Status.DOWN);
        assertThat(down.problems()).containsExactly("store down", "demo vendor trusted");
        assertThat(HealthReport.of(List.of(), List.of(), Map.of()).isUp()).isTrue();
        assertThatThrownBy(() -> new HealthReport(HealthReport.Status.DEGRADED, List.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
