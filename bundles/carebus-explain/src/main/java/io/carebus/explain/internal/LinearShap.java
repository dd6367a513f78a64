package io.carebus.explain.internal;

import io.carebus.inference.ModelLease;
import java.util.Optional;

/**
 * Exact SHAP for a model that is linear in its link: φᵢ = βᵢ(xᵢ − E[xᵢ]) with E over the background sample. The
 * coefficients are measured on the model (one step per feature from the background mean), and linearity is then
 * checked on background rows: only if every row's link output is the linear prediction (within float precision)
 * are the values exact; otherwise this explainer declines and sampling takes over. The probe is one model call per
 * model version (the caller keeps its result); each explanation then costs one call for the output.
 */
final class LinearShap {

    static final int CHECK_ROWS = 16;

    record Result(double[] contributions, double base, double output) {
    }

    /** What the probe found: the background mean, the link value there and the coefficients. */
    record Coefficients(float[] mean, double base, double[] beta) {
    }

    private LinearShap() {
    }

    /** Per request, once the model is known linear: one model call for the output, the rest is arithmetic. */
    static Result explain(ModelLease model, String label, Link link, float[] x, Coefficients c) {
        double[] phi = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            phi[i] = c.beta()[i] * (x[i] - c.mean()[i]);
        }
        return new Result(phi, c.base(), link.apply(model.run(new float[][] {x}, label)[0]));
    }

    /** Measures the coefficients and checks linearity (once per model version); empty when the model is not linear. */
    static Optional<Coefficients> probe(ModelLease model, String label, Link link, float[][] background) {
        int f = background[0].length;
        float[] mean = Background.mean(background);
        int checks = Math.min(CHECK_ROWS, background.length);
        float[][] rows = new float[1 + f + checks][];
        rows[0] = mean;
        float[] step = new float[f];
        for (int i = 0; i < f; i++) {
            float[] probe = mean.clone();
            step[i] = Math.max(1e-2f, Math.abs(mean[i]) * 0.01f);
            probe[i] += step[i];
            step[i] = probe[i] - mean[i]; // the step as float arithmetic made it
            rows[1 + i] = probe;
        }
        for (int c = 0; c < checks; c++) {
            rows[1 + f + c] = background[c * background.length / checks];
        }
        double[] out = model.run(rows, label);
        double base = link.apply(out[0]);
        double[] beta = new double[f];
        for (int i = 0; i < f; i++) {
            beta[i] = (link.apply(out[1 + i]) - base) / step[i];
        }
        for (int c = 0; c < checks; c++) {
            float[] b = rows[1 + f + c];
            double predicted = base;
            for (int i = 0; i < f; i++) {
                predicted += beta[i] * (b[i] - mean[i]);
            }
            double actual = link.apply(out[1 + f + c]);
            if (Math.abs(actual - predicted) > 1e-3 * Math.max(1, Math.abs(actual))) {
                return Optional.empty();
            }
        }
        return Optional.of(new Coefficients(mean, base, beta));
    }
}
