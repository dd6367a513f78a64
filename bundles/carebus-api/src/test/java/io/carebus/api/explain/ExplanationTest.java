package io.carebus.api.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carebus.api.explain.Explanation.FeatureContribution;
import io.carebus.api.explain.Explanation.Heatmap;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplanationTest {

    @Test
    void additivityGapMeasuresHowFarContributionsAreFromTheOutputDifference() {
        Explanation e = new Explanation("linear-shap", -1.0, 0.5,
                List.of(new FeatureContribution("lactate", 4.1, "mmol/L", 1.2),
                        new FeatureContribution("heart_rate", 118, "/min", 0.25)),
                null, 0, 0.01);
        assertThat(e.additivityGap()).hasValueCloseTo(0.05, within(1e-12));
    }

    @Test
    void heatmapHasNoAdditivityAndMustMatchItsGrid() {
        Explanation e = new Explanation("occlusion", 0.1, 0.9, List.of(), new Heatmap(2, 2, new double[4], null), 49, 1200);
        assertThat(e.additivityGap()).isEmpty();
        assertThatThrownBy(() -> new Heatmap(2, 3, new double[4], null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void needsContributionsOrHeatmapButNotBoth() {
        assertThatThrownBy(() -> new Explanation("x", 0, 0, List.of(), null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
