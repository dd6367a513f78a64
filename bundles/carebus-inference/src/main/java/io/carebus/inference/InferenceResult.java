package io.carebus.inference;

import io.carebus.api.model.Prediction;

/**
 * One answered inference: the prediction, the state of the version that answered, how long the model took, and for
 * tabular models the feature values it was given (before card defaults; from FHIR, as extracted), which an
 * explanation of the same prediction needs.
 */
public record InferenceResult(Prediction prediction, ServingState servedBy, long latencyNanos, java.util.Map<String, Double> features) {

    public InferenceResult {
        features = features == null ? java.util.Map.of() : java.util.Map.copyOf(features);
    }
}
