package io.carebus.explain.internal;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.explain.ImageExplainer;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Chooses Grad-CAM for cards whose method is {@code grad-cam} (they must name the activation output and head graph;
 * the extender checked both), occlusion otherwise. One lease holds the version for the whole explanation. Base and
 * output values: for Grad-CAM the head's score (e.g. the logit) for all-zero activations and for the image's; for
 * occlusion the output for the image with every pixel at the image's mean (its fill) and for the image.
 */
@Component(service = ImageExplainer.class)
public class ImageExplainers implements ImageExplainer {

    static final int OCCLUSION_WINDOW = 32;
    static final int OCCLUSION_STRIDE = 16;

    private final ModelRegistry registry;

    @Activate
    public ImageExplainers(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Explanation explain(String modelId, String version, String label, float[] image, String method) {
        return explain(modelId, version, label, image, method, OCCLUSION_WINDOW, OCCLUSION_STRIDE);
    }

    @Override
    public Explanation explain(String modelId, String version, String label, float[] image, String method, int window, int stride) {
        long start = System.nanoTime();
        try (ModelLease model = registry.lease(modelId, version)) {
            ModelCard card = model.card();
            if (card.imageInput() == null) {
                throw new IllegalArgumentException(modelId + " is a tabular model; image explanations do not apply");
            }
            if (card.outputs().stream().noneMatch(o -> o.label().equals(label))) {
                throw new IllegalArgumentException(modelId + " has no output " + label);
            }
            int width = card.imageInput().width(), height = card.imageInput().height();
            if (image.length != width * height) {
                throw new IllegalArgumentException(modelId + " takes " + width + "x" + height + " images, got " + image.length + " values");
            }
            String chosen = method == null || method.equals("auto")
                    ? ("grad-cam".equals(card.explanationMethod()) ? "grad-cam" : "occlusion") : method.toLowerCase(Locale.ROOT);
            int rows;
            int columns;
            double[] grid;
            long calls;
            String described;
            double output;
            double base;
            switch (chosen) {
                case "grad-cam" -> {
                    GradCam.Result cam = GradCam.explain(model, label, image);
                    // In the head's space (e.g. the logit): its score for the activations and for none at all, from
                    // the same batched head call, so Grad-CAM costs one forward pass and one head call.
                    output = cam.score();
                    base = cam.base();
                    rows = cam.rows();
                    columns = cam.columns();
                    grid = cam.map();
                    calls = cam.modelCalls();
                    described = "grad-cam (" + model.activationOutput().orElseThrow() + ", " + rows + "x" + columns
                            + ", channel weights by finite differences on the head graph; base and output in the head's space)";
                }
                case "occlusion" -> {
                    Occlusion.Result occ = Occlusion.explain(model, label, image, width, height, window, stride);
                    output = occ.output();
                    base = model.run(new float[][] {meanImage(image)}, label)[0];
                    rows = occ.rows();
                    columns = occ.columns();
                    grid = occ.map();
                    calls = occ.modelCalls() + 1;
                    described = "occlusion (window " + window + " px, stride " + stride + " px, " + occ.positions()
                            + " positions, mean-value fill)";
                }
                default -> throw new IllegalArgumentException("image explanation method must be auto, grad-cam or occlusion, not " + method);
            }
            double[] full = Heatmaps.upsample(grid, rows, columns, width, height);
            byte[] png = Heatmaps.overlayPng(image, width, height, full);
            return new Explanation(described, base, output, java.util.List.of(), new Explanation.Heatmap(rows, columns, grid, png),
                    calls, (System.nanoTime() - start) / 1e6);
        }
    }

    /** Where the explanation's heatmap peaks on the image, in pixels (x, y). */
    public static double[] peak(Explanation explanation, int width, int height) {
        Explanation.Heatmap heatmap = explanation.heatmap();
        return Heatmaps.peak(Heatmaps.upsample(heatmap.values(), heatmap.rows(), heatmap.columns(), width, height), width);
    }

    private static float[] meanImage(float[] image) {
        double mean = 0;
        for (float v : image) {
            mean += v;
        }
        float[] flat = new float[image.length];
        java.util.Arrays.fill(flat, (float) (mean / image.length));
        return flat;
    }
}
