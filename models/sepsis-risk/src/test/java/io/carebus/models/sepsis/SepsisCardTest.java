package io.carebus.models.sepsis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The card built for the example model follows the published model card schema and says what the model is. */
class SepsisCardTest {

    private static final Path CARD = Path.of("target/classes/model-card.yaml");
    private static final Path SCHEMA = Path.of("../../docs/model-card.schema.json");

    @Test
    void theBuiltCardFollowsTheSchema() throws Exception {
        JsonNode card = new ObjectMapper(new YAMLFactory()).readTree(CARD.toFile());
        JsonSchema schema;
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        Set<ValidationMessage> problems = schema.validate(card);
        assertThat(problems).isEmpty();
        assertThat(card.get("disclaimer").asText()).isEqualTo("synthetic training data — demonstration, not for clinical use");
        assertThat(card.get("performance").get("subgroups")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(card.get("performance").get("overall").get("auroc").asDouble()).isBetween(0.6, 1.0);
    }

    @Test
    void theSchemaRefusesACardWithoutSelfTests() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode card =
                (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(CARD.toFile());
        card.remove("selfTests");
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in).validate(card))
                    .anySatisfy(m -> assertThat(m.getMessage()).contains("selfTests"));
        }
    }
}
