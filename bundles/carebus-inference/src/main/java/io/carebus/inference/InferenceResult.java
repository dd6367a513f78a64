package io.carebus.inference;

import io.carebus.api.model.Prediction;

/**
 * One answered inference: the prediction, the state of the version that answered, how long the model took, and what
 * an explanation of the same prediction needs: for tabular models the feature values it was given (before card
 * defaults; from FHIR, as extracted), for imaging models the tensor it saw.
 */
public record InferenceResult(Prediction prediction, ServingState servedBy, long latencyNanos, java.util.Map<String, Double> features,
                              float[] pixels) {

    public InferenceResult {
        features = features == null ? java.util.Map.of() : java.util.Map.copyOf(features);
    }

    public InferenceResult(Prediction prediction, ServingState servedBy, long latencyNanos, java.util.Map<String, Double> features) {
        this(prediction, servedBy, latencyNanos, features, null);
    }
}
