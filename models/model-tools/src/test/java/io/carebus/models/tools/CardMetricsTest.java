package io.carebus.models.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The model card's performance block against a confusion matrix counted by hand. */
class CardMetricsTest {

    // Positives 0.9, 0.6, 0.4; negatives 0.3, 0.7, 0.2.
    private static final double[] SCORES = {0.9, 0.6, 0.4, 0.3, 0.7, 0.2};
    private static final boolean[] POSITIVE = {true, true, true, false, false, false};

    @Test
    void allRowsAtThresholdOneHalf() {
        // Flagged (>= 0.5): 0.9 and 0.6 (true positives), 0.7 (false positive); 0.4 is a false negative; 0.3, 0.2 true
        // negatives. Sensitivity 2/3, specificity 2/3, prevalence 3/6. AUROC: 0.9 beats all 3 negatives, 0.6 beats 0.3
        // and 0.2, 0.4 beats 0.3 and 0.2: 7 of 9 pairs.
        assertThat(CardMetrics.yaml(SCORES, POSITIVE, i -> true, "  ", 0.5)).isEqualTo("""
                  auroc: 0.778
                  sensitivity: 0.667
                  specificity: 0.667
                  prevalence: 0.500
                """);
    }

    @Test
    void onlyTheSelectedRowsCount() {
        // Rows 0..3: 0.9, 0.6, 0.4 positive, 0.3 negative. TP 2, FN 1, TN 1, FP 0; every positive outranks the negative.
        assertThat(CardMetrics.yaml(SCORES, POSITIVE, i -> i < 4, "", 0.5)).isEqualTo("""
                auroc: 1.000
                sensitivity: 0.667
                specificity: 1.000
                prevalence: 0.750
                """);
    }

    @Test
    void aScoreExactlyAtTheThresholdIsFlagged() {
        // 0.6 flagged at threshold 0.6: sensitivity 2/3 (0.9 and 0.6), 0.7 still a false positive.
        assertThat(CardMetrics.yaml(SCORES, POSITIVE, i -> true, "", 0.6)).contains("sensitivity: 0.667", "specificity: 0.667");
        // Just above it, 0.6 is missed.
        assertThat(CardMetrics.yaml(SCORES, POSITIVE, i -> true, "", 0.6000001)).contains("sensitivity: 0.333");
    }
}
