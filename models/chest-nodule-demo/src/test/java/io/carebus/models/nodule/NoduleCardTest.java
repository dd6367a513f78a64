package io.carebus.models.nodule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The imaging example's card follows the published model card schema and says what the model is. */
class NoduleCardTest {

    private static final Path CARD = Path.of("target/classes/model-card.yaml");
    private static final Path SCHEMA = Path.of("../../docs/model-card.schema.json");

    @Test
    void theBuiltCardFollowsTheSchemaAndNamesItsGradCamContract() throws Exception {
        JsonNode card = new ObjectMapper(new YAMLFactory()).readTree(CARD.toFile());
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in).validate(card)).isEmpty();
        }
        assertThat(card.get("inputs").get("image").get("width").asInt()).isEqualTo(224);
        assertThat(card.get("explanation").get("method").asText()).isEqualTo("grad-cam");
        assertThat(card.get("explanation").get("activationOutput").asText()).isEqualTo("activations");
        assertThat(Path.of("target/classes", card.get("explanation").get("headGraph").asText())).exists();
        assertThat(card.get("disclaimer").asText()).contains("not for clinical use");
        assertThat(card.get("performance").get("overall").get("auroc").asDouble()).isBetween(0.9, 1.0);
    }
}
