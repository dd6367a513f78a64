package io.carebus.inference.internal;

import ai.onnxruntime.OrtException;
import io.carebus.inference.InsufficientDataException;
import java.util.Arrays;
import java.util.Map;

/** Runs the card's self-test vectors on the opened session; any miss refuses the model. */
final class SelfTests {

    private SelfTests() {
    }

    static void run(OrtModel model) throws ModelRefusedException {
        CardDocument card = model.card();
        int n = 0;
        for (CardDocument.SelfTest test : card.selfTests()) {
            n++;
            float[] row;
            try {
                row = card.inputs().tabular() != null ? FeatureVector.build(card, test.inputs() == null ? Map.of() : test.inputs())
                        : constantImage(model, test);
            } catch (InsufficientDataException e) {
                throw new ModelRefusedException("/selfTests/" + (n - 1) + "/inputs", "self-test " + n + ": " + e.getMessage());
            }
            Map<String, Double> actual;
            try {
                actual = model.run(new float[][] {row}).get(0);
            } catch (OrtException | RuntimeException e) {
                throw new ModelRefusedException("/selfTests/" + (n - 1), "self-test " + n + " does not run: " + e.getMessage());
            }
            for (Map.Entry<String, Double> expected : test.expected().entrySet()) {
                double got = actual.get(expected.getKey());
                if (!(Math.abs(got - expected.getValue()) <= test.tolerance())) {
                    throw new ModelRefusedException("/selfTests/" + (n - 1) + "/expected", "self-test " + n + " failed: " + expected.getKey() + " = " + got
                            + ", expected " + expected.getValue() + " ± " + test.tolerance());
                }
            }
        }
        if (card.explanation() != null && card.explanation().headGraph() != null) {
            headReproducesTheModel(model);
        }
    }

    /**
     * Grad-CAM explains the head graph, so the head must be the model's own: on a fixed pseudo-random image and a
     * constant one, head(activations) must give each output (directly, or through the logistic link when the head
     * stops at the logit) within 1e-4.
     */
    private static void headReproducesTheModel(OrtModel model) throws ModelRefusedException {
        float[][] images = new float[2][model.features()];
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261128);
        for (int i = 0; i < images[0].length; i++) {
            images[0][i] = (float) random.nextDouble();
        }
        Arrays.fill(images[1], 0.5f);
        try {
            float[][] activations = model.runOutput(images, model.card().explanation().activationOutput()).rows();
            java.util.List<Map<String, Double>> outputs = model.run(images);
            for (CardDocument.Output o : model.card().outputs()) {
                double[] head = model.runHead(activations, o.label());
                for (int r = 0; r < images.length; r++) {
                    double out = outputs.get(r).get(o.label());
                    double direct = Math.abs(head[r] - out), logistic = Math.abs(1 / (1 + Math.exp(-head[r])) - out);
                    if (!(Math.min(direct, logistic) <= 1e-4)) {
                        throw new ModelRefusedException("/explanation/headGraph", "the head graph does not reproduce the model: for output " + o.label()
                                + " it gives " + head[r] + " where the model gives " + out);
                    }
                }
            }
        } catch (OrtException | RuntimeException e) {
            throw new ModelRefusedException("/explanation/headGraph", "the head graph cannot be checked against the model: " + e.getMessage());
        }
    }

    /** Image self-tests give one value, {@code constant}, that fills the whole preprocessed image. */
    private static float[] constantImage(OrtModel model, CardDocument.SelfTest test) throws ModelRefusedException {
        Double value = test.inputs() == null ? null : test.inputs().get("constant");
        if (value == null) {
            throw new ModelRefusedException("image self-tests need inputs.constant (the value filling the image)");
        }
        float[] image = new float[model.features()];
        Arrays.fill(image, value.floatValue());
        return image;
    }
}
