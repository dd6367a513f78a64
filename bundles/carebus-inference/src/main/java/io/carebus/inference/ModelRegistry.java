package io.carebus.inference;

import java.util.List;
import java.util.Map;

/**
 * The live model versions and inference against them. Requests go to the SERVING version (or, for its share, the
 * CANARY); SHADOW versions then run on the same input without their output being returned. State changes take effect
 * for the next request; requests already running finish on the version they started with.
 */
public interface ModelRegistry {

    /** Every model bundle seen, with its state (refused ones with the reason). */
    List<ModelView> models();

    /**
     * Runs model {@code modelId} (the version chosen by state, or exactly {@code version} when not null) on tabular
     * features by name. {@code subjectPseudonym} identifies the (de-identified) patient in the prediction.
     */
    InferenceResult infer(String modelId, String version, String subjectPseudonym, Map<String, Double> features)
            throws InsufficientDataException;

    /**
     * {@link #infer} without holding the calling thread: the result (or the failure, {@link InsufficientDataException}
     * included) completes the returned stage, on the batch worker's thread when micro-batching is on. Many requests
     * in flight from few threads are what micro-batching coalesces best. This default runs {@link #infer} at once.
     */
    default java.util.concurrent.CompletionStage<InferenceResult> inferAsync(String modelId, String version, String subjectPseudonym,
            Map<String, Double> features) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(infer(modelId, version, subjectPseudonym, features));
        } catch (InsufficientDataException | RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Runs a tabular model on FHIR R4 Observations (a Bundle or one Observation, JSON): each card feature is taken
     * from the Observations with its code, in its window before {@code asOf}, converted to its unit and aggregated.
     */
    InferenceResult inferFhir(String modelId, String version, String subjectPseudonym, String fhirJson, java.time.Instant asOf)
            throws InsufficientDataException;

    /** Runs an imaging model on a preprocessed image tensor (row-major, the card's height x width). */
    InferenceResult inferImage(String modelId, String version, String subjectPseudonym, float[] pixels);

    /**
     * Runs an imaging model on an image preprocessed with the image spec of the version chosen for this request.
     *
     * @throws io.carebus.api.model.ImageAbstainedException when the image cannot become that version's input
     */
    InferenceResult inferImage(String modelId, String version, String subjectPseudonym, ImageSource image)
            throws io.carebus.api.model.ImageAbstainedException;

    /**
     * Holds the version a request would get (or exactly {@code version}) for work needing many runs of one model;
     * close the lease when done.
     */
    ModelLease lease(String modelId, String version);

    /** Makes {@code version} the serving one; the previous serving version becomes a shadow (for a roll back). */
    void promote(String modelId, String version);

    /** Gives serving back to the version that served before the last promotion; the demoted one shadows. */
    void rollback(String modelId);

    /** Sets a version's state (SERVING through {@link #promote}); RETIRED releases its session once idle. */
    void setState(String modelId, String version, ServingState state);
}
