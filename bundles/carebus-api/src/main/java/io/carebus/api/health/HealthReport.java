package io.carebus.api.health;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link HealthIndicator} found. {@code problems} names each failing part in words an operator can act on;
 * it is empty exactly when the status is {@link Status#UP}. {@code details} carries indicator-specific facts (never
 * PHI) and must hold only strings, numbers, booleans, lists and maps so it can be written as JSON.
 */
public record HealthReport(Status status, List<String> problems, Map<String, Object> details) {

    public enum Status { UP, DOWN }

    public HealthReport {
        Objects.requireNonNull(status, "status");
        problems = List.copyOf(problems);
        details = Map.copyOf(details);
        if ((status == Status.UP) != problems.isEmpty()) {
            throw new IllegalArgumentException("status " + status + " does not agree with problems " + problems);
        }
    }

    public static HealthReport of(List<String> problems, Map<String, Object> details) {
        return new HealthReport(problems.isEmpty() ? Status.UP : Status.DOWN, problems, details);
    }

    public boolean isUp() {
        return status == Status.UP;
    }
}
