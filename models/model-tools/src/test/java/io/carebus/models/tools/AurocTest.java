package io.carebus.models.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** AUROC against hand computation: the share of (positive, negative) pairs the score orders right, ties counted half. */
class AurocTest {

    @Test
    void smallExampleByHand() {
        // Positives 0.35 and 0.8, negatives 0.1 and 0.4: of the 4 pairs, 0.35>0.1, 0.8>0.1, 0.8>0.4 are right, 0.35<0.4 is
        // wrong: 3/4.
        assertThat(Auroc.of(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true})).isEqualTo(0.75);
    }

    @Test
    void aTieBetweenAPositiveAndANegativeCountsHalf() {
        // Positives 0.5 and 0.9, negatives 0.5 and 0.2: 0.5=0.5 counts 1/2, the other three pairs are right: 3.5/4.
        assertThat(Auroc.of(new double[] {0.5, 0.5, 0.2, 0.9}, new boolean[] {true, false, false, true})).isEqualTo(0.875);
        // Every score equal: no better than chance.
        assertThat(Auroc.of(new double[] {0.3, 0.3, 0.3}, new boolean[] {true, false, false})).isEqualTo(0.5);
    }

    @Test
    void perfectAndReversedOrdersAndOneClassOnly() {
        assertThat(Auroc.of(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true})).isEqualTo(1.0);
        assertThat(Auroc.of(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true})).isEqualTo(0.0);
        assertThat(Auroc.of(new double[] {0.1, 0.9}, new boolean[] {true, true})).isNaN();
        assertThat(Auroc.of(new double[] {0.1, 0.9}, new boolean[] {false, false})).isNaN();
    }

    @Test
    void agreesWithCountingEveryPairOnLargerData() {
        Random random = new Random(26);
        double[] scores = new double[400];
        boolean[] positive = new boolean[400];
        for (int i = 0; i < scores.length; i++) {
            positive[i] = random.nextDouble() < 0.3;
            // Rounded to two decimals so that ties occur, and shifted for positives so the answer is not 0.5.
            scores[i] = Math.round((random.nextGaussian() + (positive[i] ? 0.8 : 0)) * 100) / 100.0;
        }
        double right = 0;
        long pairs = 0;
        for (int p = 0; p < scores.length; p++) {
            for (int n = 0; n < scores.length; n++) {
                if (positive[p] && !positive[n]) {
                    pairs++;
                    right += scores[p] > scores[n] ? 1 : scores[p] == scores[n] ? 0.5 : 0;
                }
            }
        }
        assertThat(Auroc.of(scores, positive)).isCloseTo(right / pairs, within(1e-12));
    }
}
