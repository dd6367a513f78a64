package io.carebus.modelkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.models.tools.ModelBundles;
import io.carebus.models.tools.OnnxGraphs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, versioning: "A new version of the same model id must keep the card's inputs and outputs compatible (or
 * change the id). validate --against previous.jar reports breaking changes."
 */
class ValidateAgainstPreviousVersionTest {

    @TempDir
    static Path dir;

    static Path previous;

    @BeforeAll
    static void firstVersion() throws Exception {
        previous = TestModel.signed(new ModelBundles(dir), "v1", TestModel.goodCard(), "vendor");
    }

    /** A model folder holding a new version: new weights, and {@code edit} applied to the card. */
    private static Path nextVersion(String name, java.util.function.UnaryOperator<String> edit) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        byte[] onnx = OnnxGraphs.logisticRegression(new float[] {0.05f, -0.4f, 1.1f}, -3.2f);
        Files.write(folder.resolve("model.onnx"), onnx);
        String card = TestModel.card("1.1.0", TestModel.sha(onnx));
        Files.writeString(folder.resolve(ModelDirectory.CARD), edit.apply(card), StandardCharsets.UTF_8);
        // the self-test follows the new weights, as 'selftest --generate' would write it
        assertThat(Kit.run("selftest", "--generate", "--inputs", examples(), folder).status()).isZero();
        return folder;
    }

    private static Path examples() throws Exception {
        Path examples = dir.resolve("examples.yaml");
        Files.writeString(examples, "- {heart_rate: 100, lactate: 2.0, temperature: 1.5}\n");
        return examples;
    }

    @Test
    void newWeightsWithTheSameInputsAndOutputsAreCompatible() throws Exception {
        Kit kit = Kit.run("validate", nextVersion("compatible", c -> c), "--against", previous);
        assertThat(kit.status()).as(kit.toString()).isEqualTo(CareBusModel.OK);
        assertThat(kit.out()).contains("compatible with " + previous.getFileName());
    }

    @Test
    void aChangedUnitARemovedOutputAndAnOlderVersionAreEachReportedAtTheirLine() throws Exception {
        Path folder = nextVersion("breaking", c -> c.replace("unit: \"mmol/L\"", "unit: \"mg/dL\"")
                .replace("version: \"1.1.0\"", "version: \"1.0.0\"")
                .replace("- {name: temperature, code: \"http://loinc.org|8310-5\", unit: Cel, window: PT6H, aggregate: max}",
                        "- {name: temperature, code: \"http://loinc.org|8310-5\", unit: Cel, window: PT12H, aggregate: max}"));
        Kit kit = Kit.run("validate", folder, "--against", previous);
        assertThat(kit.status()).as(kit.toString()).isEqualTo(CareBusModel.REFUSED);
        String p = "breaking change from " + previous.getFileName() + ": ";
        assertThat(kit.problems()).containsExactly(
                p + "version 1.0.0 is not later than the previous version 1.0.0",
                p + "input feature lactate: unit changes from mmol/L to mg/dL",
                p + "input feature temperature: window changes from PT6H to PT12H");
        String card = Files.readString(folder.resolve(ModelDirectory.CARD));
        assertThat(kit.out()).contains(ModelDirectory.CARD + ":" + lineOf(card, "name: lactate") + ": " + p + "input feature lactate");
    }

    @Test
    void aRenamedOutputIsARemovedOne() throws Exception {
        Path folder = nextVersion("renamed", c -> c.replace("label: risk", "label: risk_score").replace("expected: {risk:", "expected: {risk_score:"));
        Kit kit = Kit.run("validate", folder, "--against", previous);
        assertThat(kit.problems()).containsExactly("breaking change from " + previous.getFileName() + ": output risk is removed");
    }

    @Test
    void anotherModelIdIsANewModelAndFreeToDiffer() throws Exception {
        Path folder = nextVersion("newid", c -> c.replace("id: risk-demo", "id: risk-demo-2").replace("unit: \"mmol/L\"", "unit: \"mg/dL\""));
        Kit kit = Kit.run("validate", folder, "--against", previous);
        assertThat(kit.status()).as(kit.toString()).isEqualTo(CareBusModel.OK);
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }
}
