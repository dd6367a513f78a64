package io.carebus.api.model;

import io.carebus.api.Sha256;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One inference: which model produced which outputs from which (de-identified) input. {@code subjectPseudonym} is the
 * pseudonymous patient id; models never see real identifiers (DESIGN.md section 3).
 */
public record Prediction(
        ModelId model,
        String subjectPseudonym,
        Instant at,
        Sha256 inputHash,
        Map<String, Double> outputs,
        boolean shadow) {

    public Prediction {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(subjectPseudonym, "subjectPseudonym");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(inputHash, "inputHash");
        outputs = Map.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a prediction of " + model + " has no outputs");
        }
    }
}
