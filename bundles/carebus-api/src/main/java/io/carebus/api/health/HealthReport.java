package io.carebus.api.health;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link HealthIndicator} found. {@code problems} names each failing or degraded part in words an operator
 * can act on; it is empty exactly when the status is {@link Status#UP}. {@code details} carries indicator-specific
 * facts (never PHI) and must hold only strings, numbers, booleans, lists and maps so it can be written as JSON.
 */
public record HealthReport(Status status, List<String> problems, Map<String, Object> details) {

    /**
     * UP: working. DEGRADED: working, but in a state an operator must fix (a warning; readiness probes still pass).
     * DOWN: not doing its job.
     */
    public enum Status { UP, DEGRADED, DOWN }

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

    /** DOWN for any problem; otherwise DEGRADED for any warning; otherwise UP. */
    public static HealthReport of(List<String> problems, List<String> warnings, Map<String, Object> details) {
        if (!problems.isEmpty()) {
            return new HealthReport(Status.DOWN, concat(problems, warnings), details);
        }
        return new HealthReport(warnings.isEmpty() ? Status.UP : Status.DEGRADED, warnings, details);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    public boolean isUp() {
        return status == Status.UP;
    }
}
