package io.carebus.api.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.model.ModelCard.ModelOutput;
import io.carebus.api.model.ModelCard.TabularInput;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCardTest {

    private static final ModelOutput RISK = new ModelOutput("sepsis_risk", "probability", 0.5, "RiskAssessment", null);

    @Test
    void aCardMustSayWhatItReads() {
        assertThatThrownBy(() -> new ModelCard("sepsis", "1.0.0", "acme", "adult inpatients", List.of(),
                List.of(), null, List.of(RISK), "linear-shap", "synthetic"))
                .hasMessageContaining("either tabular inputs or one image input");
    }

    @Test
    void aCardMustSayWhatItEmits() {
        assertThatThrownBy(() -> new ModelCard("sepsis", "1.0.0", "acme", "adult inpatients", List.of(),
                List.of(new TabularInput("lactate", "2524-7", "mmol/L", "PT6H", "max", null)), null, List.of(),
                "linear-shap", "synthetic"))
                .hasMessageContaining("no outputs");
    }

    @Test
    void identifiersMustBeClean() {
        assertThatThrownBy(() -> new ModelId(" sepsis", "1", new io.carebus.api.Sha256("0".repeat(64))))
                .hasMessageContaining("id");
    }
}
