package io.carebus.explain.internal;

import io.carebus.inference.ModelLease;

/**
 * Occlusion sensitivity (Zeiler and Fergus 2014), model-agnostic: a square window of the image's mean value slides
 * over the image with a stride; each position's importance is how much the output drops when it is hidden. A pixel's
 * value is the mean drop of the windows covering it (as Captum computes it), kept on the grid of stride-sized cells.
 * All occluded images of a chunk go to the model in one batched call.
 */
final class Occlusion {

    private static final int CHUNK = 32;

    private Occlusion() {
    }

    record Result(int rows, int columns, double[] map, double output, long modelCalls, int positions) {
    }

    static Result explain(ModelLease model, String label, float[] image, int width, int height, int window, int stride) {
        if (window <= 0 || stride <= 0 || window > Math.min(width, height)) {
            throw new IllegalArgumentException("occlusion window " + window + " and stride " + stride + " do not fit a "
                    + width + "x" + height + " image");
        }
        double mean = 0;
        for (float v : image) {
            mean += v;
        }
        float fill = (float) (mean / image.length);
        // Window origins every stride, plus one flush with the right/bottom edge when the stride does not reach it,
        // so no strip of the image is left unoccluded.
        int[] xs = origins(width, window, stride), ys = origins(height, window, stride);
        int across = xs.length, down = ys.length;
        int positions = across * down;
        double[] drops = new double[positions];
        double output = Double.NaN;
        long calls = 0;
        for (int from = -1; from < positions; from += CHUNK) {
            int n = Math.min(CHUNK, positions - from);
            float[][] batch = new float[n][];
            for (int k = 0; k < n; k++) {
                int p = from + k;
                if (p < 0) {
                    batch[k] = image;
                    continue;
                }
                float[] occluded = image.clone();
                int x0 = xs[p % across], y0 = ys[p / across];
                for (int y = y0; y < y0 + window; y++) {
                    java.util.Arrays.fill(occluded, y * width + x0, y * width + x0 + window, fill);
                }
                batch[k] = occluded;
            }
            double[] scores = model.run(batch, label);
            calls++;
            for (int k = 0; k < n; k++) {
                int p = from + k;
                if (p < 0) {
                    output = scores[k];
                } else {
                    drops[p] = output - scores[k];
                }
            }
        }
        // Cells of stride × stride pixels; a cell's value is the mean drop of the windows that cover it.
        int columns = (int) Math.ceil(width / (double) stride), rows = (int) Math.ceil(height / (double) stride);
        double[] sum = new double[rows * columns];
        int[] count = new int[rows * columns];
        for (int p = 0; p < positions; p++) {
            int x0 = xs[p % across], y0 = ys[p / across];
            for (int cy = y0 / stride; cy < Math.min(rows, (y0 + window + stride - 1) / stride); cy++) {
                for (int cx = x0 / stride; cx < Math.min(columns, (x0 + window + stride - 1) / stride); cx++) {
                    sum[cy * columns + cx] += drops[p];
                    count[cy * columns + cx]++;
                }
            }
        }
        double[] map = new double[rows * columns];
        for (int i = 0; i < map.length; i++) {
            map[i] = count[i] == 0 ? 0 : Math.max(0, sum[i] / count[i]);
        }
        return new Result(rows, columns, map, output, calls, positions);
    }

    private static int[] origins(int size, int window, int stride) {
        int regular = (size - window) / stride + 1;
        boolean flush = (size - window) % stride != 0;
        int[] origins = new int[regular + (flush ? 1 : 0)];
        for (int i = 0; i < regular; i++) {
            origins[i] = i * stride;
        }
        if (flush) {
            origins[regular] = size - window;
        }
        return origins;
    }
}
