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
                throw new ModelRefusedException("self-test " + n + ": " + e.getMessage());
            }
            Map<String, Double> actual;
            try {
                actual = model.run(new float[][] {row}).get(0);
            } catch (OrtException | RuntimeException e) {
                throw new ModelRefusedException("self-test " + n + " does not run: " + e.getMessage());
            }
            for (Map.Entry<String, Double> expected : test.expected().entrySet()) {
                double got = actual.get(expected.getKey());
                if (!(Math.abs(got - expected.getValue()) <= test.tolerance())) {
                    throw new ModelRefusedException("self-test " + n + " failed: " + expected.getKey() + " = " + got
                            + ", expected " + expected.getValue() + " ± " + test.tolerance());
                }
            }
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
