package io.carebus.explain;

import io.carebus.api.explain.Explanation;

/**
 * Explains an imaging model's output for one input tensor with a heatmap: Grad-CAM when the model card names the
 * activation output and head graph, occlusion sensitivity (model-agnostic) otherwise or when asked. The heatmap comes
 * with a PNG overlay (colour map with transparency over the image the model saw).
 */
public interface ImageExplainer {

    /**
     * @param image  the tensor the model was given (row-major, the card's height × width), as {@code carebus:infer}
     *               leaves it in header {@code CareBusImageTensor}
     * @param method {@code auto} (the card's method), {@code grad-cam} or {@code occlusion}
     */
    Explanation explain(String modelId, String version, String label, float[] image, String method);

    /** As above, with the occlusion window and stride in pixels (used by occlusion only). */
    Explanation explain(String modelId, String version, String label, float[] image, String method, int window, int stride);
}
