package io.carebus.explain.internal;

import io.carebus.inference.ModelLease;
import java.util.SplittableRandom;

/**
 * Permutation-sampling Shapley values (Štrumbelj and Kononenko): for each sampled permutation and background row,
 * switch the features from the background row to the input one at a time in the permutation's order and credit
 * each feature with the change of the (linked) output. Every permutation's credits add up to f(x) − f(z) exactly,
 * so the efficiency property holds for any number of permutations; all rows go to the model in one call.
 */
final class SamplingShapley {

    record Result(double[] contributions, double base, double output, int rows) {
    }

    private SamplingShapley() {
    }

    static Result explain(ModelLease model, String label, Link link, float[] x, float[][] background, int permutations, long seed) {
        int f = x.length;
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[permutations * (f + 1)][];
        int[][] orders = new int[permutations][];
        for (int p = 0; p < permutations; p++) {
            float[] current = background[random.nextInt(background.length)].clone();
            int[] order = shuffled(f, random);
            orders[p] = order;
            rows[p * (f + 1)] = current.clone();
            for (int k = 0; k < f; k++) {
                current[order[k]] = x[order[k]];
                rows[p * (f + 1) + k + 1] = current.clone();
            }
        }
        double[] out = model.run(rows, label);
        double[] phi = new double[f];
        double base = 0;
        for (int p = 0; p < permutations; p++) {
            int at = p * (f + 1);
            base += link.apply(out[at]);
            for (int k = 0; k < f; k++) {
                phi[orders[p][k]] += link.apply(out[at + k + 1]) - link.apply(out[at + k]);
            }
        }
        for (int i = 0; i < f; i++) {
            phi[i] /= permutations;
        }
        return new Result(phi, base / permutations, link.apply(out[permutations * (f + 1) - 1]), rows.length);
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
