package io.carebus.inference.check;

import java.util.List;

/**
 * What the appliance's checks say about one model bundle: every problem (each one a refusal reason, the appliance
 * joins them with "; "), warnings that do not refuse it, and who signed it. {@code modelId} and {@code version} are
 * null when the card could not be read.
 */
public record ValidationReport(String modelId, String version, String signer, List<Problem> problems, List<String> warnings) {

    public ValidationReport {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** True when the appliance would admit the bundle (ownership and version conflicts with installed bundles aside). */
    public boolean accepted() {
        return problems.isEmpty();
    }

    /** The refusal reason the appliance records, or null when accepted. */
    public String refusalReason() {
        return accepted() ? null : String.join("; ", problems.stream().map(Problem::reason).toList());
    }
}
