package io.carebus.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HealthAggregatorTest {

    private static HealthIndicator indicator(String name, List<String> problems) {
        return new HealthIndicator() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthReport report() {
                return HealthReport.of(problems, Map.of("checked", true));
            }
        };
    }

    @Test
    void upWhenEveryPartIsUp() {
        Map<String, Object> doc = HealthAggregator.aggregate(
                List.of(indicator("routes", List.of()), indicator("karaf", List.of())), Set.of("routes"));
        assertThat(doc).containsEntry("status", "UP").containsEntry("problems", List.of());
        assertThat(doc.get("checks")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKeys("routes", "karaf");
    }

    @Test
    void downAndNamedWhenOnePartIsDown() {
        Map<String, Object> doc = HealthAggregator.aggregate(
                List.of(indicator("routes", List.of("route r1 from a.yaml is Stopped")), indicator("karaf", List.of())),
                Set.of());
        assertThat(doc).containsEntry("status", "DOWN").containsEntry("problems", List.of("route r1 from a.yaml is Stopped"));
    }

    @Test
    void aMissingRequiredIndicatorIsAProblem() {
        Map<String, Object> doc = HealthAggregator.aggregate(List.of(indicator("karaf", List.of())), Set.of("routes"));
        assertThat(doc).containsEntry("status", "DOWN").containsEntry("problems", List.of("routes is not running"));
    }

    @Test
    void anIndicatorThatThrowsIsDownNotAnError() {
        HealthIndicator broken = new HealthIndicator() {
            @Override
            public String name() {
                return "store";
            }

            @Override
            public HealthReport report() {
                throw new IllegalStateException("pool closed");
            }
        };
        Map<String, Object> doc = HealthAggregator.aggregate(List.of(broken), Set.of());
        assertThat(doc).containsEntry("status", "DOWN");
        assertThat((List<?>) doc.get("problems")).singleElement().asString().contains("pool closed");
    }

    @Test
    void aDegradedPartDegradesTheWholeButADownPartStillWins() {
        HealthIndicator models = new HealthIndicator() {
            @Override
            public String name() {
                return "models";
            }

            @Override
            public HealthReport report() {
                return HealthReport.of(List.of(), List.of("the demo vendor key is trusted"), Map.of());
            }
        };
        Map<String, Object> doc = HealthAggregator.aggregate(List.of(models, indicator("karaf", List.of())), Set.of());
        assertThat(doc).containsEntry("status", "DEGRADED").containsEntry("problems", List.of())
                .containsEntry("warnings", List.of("the demo vendor key is trusted"));
        Map<String, Object> down = HealthAggregator.aggregate(List.of(models, indicator("karaf", List.of("bundle x failed"))), Set.of());
        assertThat(down).containsEntry("status", "DOWN").containsEntry("problems", List.of("bundle x failed"));
    }
}
