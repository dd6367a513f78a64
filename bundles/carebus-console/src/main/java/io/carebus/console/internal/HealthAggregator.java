package io.carebus.console.internal;

import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Combines the appliance's own checks (boot features, bundles) with every registered {@link HealthIndicator} into
 * one document. The appliance is UP only when every part is UP and every required indicator is present: a bundle
 * that did not come up at all cannot report itself DOWN, so its absence must count. A part that works but needs an
 * operator's attention makes the whole DEGRADED (listed under {@code warnings}), unless another part is DOWN.
 */
final class HealthAggregator {

    private HealthAggregator() {
    }

    /** The health document: {@code status}, {@code problems} (all parts) and {@code checks} (per part). */
    static Map<String, Object> aggregate(Collection<HealthIndicator> indicators, Set<String> required) {
        Map<String, HealthReport> reports = new TreeMap<>();
        for (HealthIndicator indicator : indicators) {
            reports.put(indicator.name(), safeReport(indicator));
        }
        for (String name : required) {
            reports.putIfAbsent(name, HealthReport.of(List.of(name + " is not running"), Map.of()));
        }
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, Object> checks = new LinkedHashMap<>();
        reports.forEach((name, report) -> {
            (report.status() == HealthReport.Status.DEGRADED ? warnings : problems).addAll(report.problems());
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("status", report.status().name());
            if (!report.problems().isEmpty()) {
                check.put("problems", report.problems());
            }
            check.putAll(report.details());
            checks.put(name, check);
        });
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", !problems.isEmpty() ? "DOWN" : warnings.isEmpty() ? "UP" : "DEGRADED");
        document.put("problems", problems);
        if (!warnings.isEmpty()) {
            document.put("warnings", warnings);
        }
        document.put("checks", checks);
        return document;
    }

    /** An indicator that throws is DOWN, not a 500 for the whole endpoint. */
    private static HealthReport safeReport(HealthIndicator indicator) {
        try {
            return indicator.report();
        } catch (RuntimeException e) {
            return HealthReport.of(List.of(indicator.name() + " failed to report: " + e), Map.of());
        }
    }
}
