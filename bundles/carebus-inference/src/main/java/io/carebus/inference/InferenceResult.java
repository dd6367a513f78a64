package io.carebus.inference;

import io.carebus.api.model.Prediction;

/** One answered inference: the prediction, the state of the version that answered, and how long the model took. */
public record InferenceResult(Prediction prediction, ServingState servedBy, long latencyNanos) {
}
