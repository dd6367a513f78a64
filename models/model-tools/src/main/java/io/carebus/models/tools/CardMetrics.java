package io.carebus.models.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The performance block of a model card: AUROC, sensitivity and specificity at the threshold, prevalence. */
final class CardMetrics {

    private CardMetrics() {
    }

    /** The metrics of the rows {@code in} selects, as YAML lines indented by {@code indent}. */
    static String yaml(double[] scores, boolean[] positive, java.util.function.IntPredicate in, String indent, double threshold) {
        List<Double> s = new ArrayList<>();
        List<Boolean> y = new ArrayList<>();
        long tp = 0, fn = 0, tn = 0, fp = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!in.test(i)) {
                continue;
            }
            s.add(scores[i]);
            y.add(positive[i]);
            boolean flagged = scores[i] >= threshold;
            if (positive[i]) {
                if (flagged) tp++; else fn++;
            } else {
                if (flagged) fp++; else tn++;
            }
        }
        double[] sa = s.stream().mapToDouble(Double::doubleValue).toArray();
        boolean[] ya = new boolean[y.size()];
        for (int i = 0; i < ya.length; i++) {
            ya[i] = y.get(i);
        }
        return String.format(Locale.ROOT, "%sauroc: %.3f%n%ssensitivity: %.3f%n%sspecificity: %.3f%n%sprevalence: %.3f%n",
                indent, Auroc.of(sa, ya), indent, tp / (double) Math.max(1, tp + fn), indent, tn / (double) Math.max(1, tn + fp),
                indent, (tp + fn) / (double) Math.max(1, ya.length));
    }

}
