package io.carebus.explain.internal;

import io.carebus.inference.ModelLease;

/**
 * Grad-CAM (Selvaraju et al. 2017) without gradients from ONNX Runtime: one forward pass gives the last convolution's
 * activations A (the output the card names); the head graph (activations → scores) then runs once on a batch of
 * C + 1 rows — A, and A with channel c raised by ε everywhere — so (head(A + ε·1_c) − head(A)) / ε is the sum of the
 * score's gradient over channel c, and its spatial mean is the channel weight α_c. The map is ReLU(Σ α_c A_c) on the
 * activation grid. For a head that is linear in the pooled activations (global pooling + dense) this is exact up to
 * float rounding.
 */
public final class GradCam {

    /** Rows per head call. */
    static final int HEAD_CHUNK = 64;

    private GradCam() {
    }

    /** {@code score} is the head's output for A, {@code base} for all-zero activations (same batched call). */
    public record Result(int rows, int columns, double[] map, double[] channelWeights, double score, double base, long modelCalls) {
    }

    public static Result explain(ModelLease model, String label, float[] image) {
        String activation = model.activationOutput().orElseThrow(() -> new IllegalArgumentException(model.id()
                + ": the card names no activation output and head graph (explanation.activationOutput, headGraph); use occlusion"));
        ModelLease.OutputTensor out = model.runOutput(new float[][] {image}, activation);
        long[] shape = out.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException(model.id() + ": activation output " + activation + " is not [N,C,H,W]: "
                    + java.util.Arrays.toString(shape));
        }
        int channels = (int) shape[1], rows = (int) shape[2], columns = (int) shape[3];
        int plane = rows * columns;
        float[] a = out.rows()[0];
        float largest = 0;
        for (float v : a) {
            largest = Math.max(largest, Math.abs(v));
        }
        // Large enough to move a float32 score, small enough to stay in the head's local linear regime.
        float epsilon = Math.max(1e-3f, 1e-3f * largest);
        // Rows: A, A + ε on each channel, all-zero activations; in chunks, so a 2048-channel layer does not hold
        // 2050 copies of its activations at once.
        double[] scores = new double[channels + 2];
        for (int from = 0; from < channels + 2; from += HEAD_CHUNK) {
            int n = Math.min(HEAD_CHUNK, channels + 2 - from);
            float[][] batch = new float[n][];
            for (int k = 0; k < n; k++) {
                int row = from + k;
                if (row == 0) {
                    batch[k] = a;
                } else if (row == channels + 1) {
                    batch[k] = new float[a.length];
                } else {
                    float[] shifted = a.clone();
                    int c = row - 1;
                    for (int i = c * plane; i < (c + 1) * plane; i++) {
                        shifted[i] += epsilon;
                    }
                    batch[k] = shifted;
                }
            }
            System.arraycopy(model.runHead(batch, label), 0, scores, from, n);
        }
        double[] weights = new double[channels];
        for (int c = 0; c < channels; c++) {
            weights[c] = (scores[c + 1] - scores[0]) / epsilon / plane;
        }
        double[] map = new double[plane];
        for (int i = 0; i < plane; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += weights[c] * a[c * plane + i];
            }
            map[i] = Math.max(0, sum);
        }
        return new Result(rows, columns, map, weights, scores[0], scores[channels + 1], 1 + (channels + 2 + HEAD_CHUNK - 1) / HEAD_CHUNK);
    }
}
