package io.carebus.modelkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.ModelBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 28: "validate reports each refusal case of ModelBundleInspectorTest with the same reason the appliance
 * gives". The appliance's reason is taken from the appliance's own code path ({@link ModelRegistries#open}: the
 * extender's inspector, session checks and self-tests, outside OSGi), and {@code carebus-model validate} must list
 * exactly those reasons.
 */
class ValidateReportsTheAppliancesRefusalsTest {

    @TempDir
    static Path dir;

    static ModelBundles bundles;

    @BeforeAll
    static void keys() throws Exception {
        bundles = new ModelBundles(dir);
    }

    /** The refusal reason of the appliance's checks for {@code jar}. */
    private static String applianceReason(Path jar) {
        Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD, List.of(jar), 1, 1).close());
        return refused.getMessage();
    }

    /** validate's problem lines must be the appliance's reason, problem for problem. */
    private static Kit assertSameReason(Path jar) {
        String reason = applianceReason(jar);
        Kit kit = Kit.run("validate", "--trust", bundles.trustStore(), "--trust-password", ModelBundles.PASSWORD, jar);
        assertThat(kit.status()).as(kit.toString()).isEqualTo(CareBusModel.REFUSED);
        assertThat(String.join("; ", kit.problems())).as(kit.toString()).isEqualTo(reason);
        assertThat(kit.out()).contains("REFUSED");
        return kit;
    }

    @Test
    void aGoodSignedBundlePassesBothTheApplianceAndValidate() throws Exception {
        Path jar = TestModel.signed(bundles, "good", TestModel.goodCard(), "vendor");
        ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD, List.of(jar), 1, 1).close();
        Kit kit = Kit.run("validate", "--trust", bundles.trustStore(), "--trust-password", ModelBundles.PASSWORD, jar);
        assertThat(kit.status()).as(kit.toString()).isEqualTo(CareBusModel.OK);
        assertThat(kit.out()).contains("risk-demo 1.0.0, signed by CN=Demo Vendor");
    }

    @Test
    void unsigned() throws Exception {
        Path jar = bundles.unsigned("plain", ModelBundles.files("model-card.yaml", TestModel.goodCard(), "model.onnx", TestModel.ONNX),
                "model-card.yaml");
        assertThat(assertSameReason(jar).problems()).singleElement().asString().startsWith("unsigned");
    }

    @Test
    void aSignerTheTrustStoreDoesNotKnow() throws Exception {
        Kit kit = assertSameReason(TestModel.signed(bundles, "strange", TestModel.goodCard(), "stranger"));
        assertThat(kit.problems()).singleElement().asString().startsWith("untrusted signer CN=Stranger");
    }

    @Test
    void oneChangedByteInTheOnnxFileAfterSigning() throws Exception {
        Kit kit = assertSameReason(bundles.tampered(TestModel.signed(bundles, "tamper", TestModel.goodCard(), "vendor"), "model.onnx"));
        assertThat(kit.problems()).singleElement().asString().startsWith("tampered").contains("model.onnx");
    }

    @Test
    void aCardWhoseHashDoesNotMatchTheFile() throws Exception {
        String wrong = "0".repeat(64);
        String card = TestModel.card("1.0.0", wrong);
        Kit kit = assertSameReason(TestModel.signed(bundles, "hash", card, "vendor"));
        assertThat(kit.problems()).containsExactly("sha256 of model.onnx is " + TestModel.sha(TestModel.ONNX) + ", the card says " + wrong);
        assertThat(kit.out()).contains(ModelDirectory.CARD + ":" + (lineOf(card, "sha256: " + wrong)) + ": sha256 of model.onnx");
    }

    @Test
    void anIncompleteCardWithEveryProblemAndItsLine() throws Exception {
        String card = TestModel.goodCard().replaceFirst("intendedUse: .*\n", "")
                .replace("changeControl: Weights may change; inputs and outputs may not.\n", "")
                .replace("unit: Cel", "unit: \"\"");
        Kit kit = assertSameReason(TestModel.signed(bundles, "card", card, "vendor"));
        assertThat(kit.problems()).containsExactly("intendedUse is required", "inputs.tabular[temperature].unit is required",
                "changeControl is required");
        assertThat(kit.out()).contains(ModelDirectory.CARD + ":" + lineOf(card, "name: temperature") + ": inputs.tabular[temperature].unit");
    }

    @Test
    void aMisspeltCardField() throws Exception {
        String card = TestModel.goodCard().replace("intendedUse:", "intendedUsage:");
        Kit kit = assertSameReason(TestModel.signed(bundles, "typo", card, "vendor"));
        assertThat(kit.problems()).singleElement().asString().contains("not a readable model card").contains("intendedUsage");
        assertThat(kit.out()).contains(ModelDirectory.CARD + ":" + lineOf(card, "intendedUsage:") + ": not a readable model card");
    }

    @Test
    void aBundleWithClasses() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("code", ModelBundles.files("model-card.yaml", TestModel.goodCard(), "model.onnx",
                TestModel.ONNX, "com/vendor/Evil.class", new byte[] {(byte) 0xCA, (byte) 0xFE}), "model-card.yaml"), "vendor");
        assertThat(assertSameReason(jar).problems())
                .containsExactly("a model bundle must not carry code, native libraries or nested archives: com/vendor/Evil.class");
    }

    @Test
    void aHeaderNamingAMissingCard() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("nocard", ModelBundles.files("model.onnx", TestModel.ONNX), "card.yaml"), "vendor");
        assertThat(assertSameReason(jar).problems()).containsExactly("CareBus-Model names card.yaml, which the bundle does not hold");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Bundle-Activator|evil.Activator|Bundle-Activator",
        "Service-Component|OSGI-INF/evil.xml|Service-Component",
        "Bundle-NativeCode|lib/evil.so;osname=Linux|Bundle-NativeCode",
        "Fragment-Host|io.carebus.audit|Fragment-Host",
        "DynamicImport-Package|*|DynamicImport-Package",
        "Bundle-ClassPath|.,lib/evil|Bundle-ClassPath",
        "Require-Capability|osgi.ee;filter:=\"(osgi.ee=JavaSE)\",osgi.extender;filter:=\"(osgi.extender=osgi.component)\"|osgi.extender"})
    void everyHeaderThatCouldRunOrWireCode(String header, String value, String named) throws Exception {
        Path jar = bundles.signed(jar("hdr" + Math.abs(header.hashCode()), Map.of(header, value),
                ModelBundles.files("model-card.yaml", TestModel.goodCard(), "model.onnx", TestModel.ONNX)), "vendor");
        assertThat(assertSameReason(jar).problems()).singleElement().asString().contains(named);
    }

    @Test
    void aGraphThatReadsItsWeightsFromAnExternalFile() throws Exception {
        ModelProto model = ModelProto.parseFrom(TestModel.ONNX);
        TensorProto external = TensorProto.newBuilder().setName("stolen").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/users.properties")).build();
        byte[] bad = model.toBuilder().setGraph(model.getGraph().toBuilder().addInitializer(external)).build().toByteArray();
        Path jar = bundles.signed(jar("external", Map.of(), ModelBundles.files("model-card.yaml",
                TestModel.card("1.0.0", TestModel.sha(bad)), "model.onnx", bad)), "vendor");
        assertThat(assertSameReason(jar).problems()).singleElement().asString().contains("tensor stolen keeps its data in an external file");
    }

    @Test
    void anOnnxOutputTheGraphDoesNotHave() throws Exception {
        // A session check (after the inspector): the same reason, at the line of the output's onnxOutput.
        String card = TestModel.goodCard().replace("onnxOutput: probability", "onnxOutput: prob");
        Kit kit = assertSameReason(TestModel.signed(bundles, "output", card, "vendor"));
        assertThat(kit.problems()).containsExactly("the card's output risk names ONNX output prob, the model has [probability]");
        assertThat(kit.out()).contains(ModelDirectory.CARD + ":" + lineOf(card, "onnxOutput: prob") + ":");
    }

    @Test
    void aSelfTestTheModelFails() throws Exception {
        String card = TestModel.goodCard().replaceFirst("expected: \\{risk: [^}]*}", "expected: {risk: 0.99}");
        Kit kit = assertSameReason(TestModel.signed(bundles, "selftest", card, "vendor"));
        assertThat(kit.problems()).singleElement().asString().startsWith("self-test 1 failed: risk = ");
    }

    @Test
    void aZipBombIsRefusedBeforeItIsInflated() throws Exception {
        Path jar = bundles.signed(jar("bomb", Map.of(), ModelBundles.files("model-card.yaml", TestModel.goodCard(), "model.onnx",
                TestModel.ONNX, "background.bin", new byte[64 * 1024 * 1024])), "vendor");
        assertThat(Files.size(jar)).isLessThan(1 << 20);
        Kit kit = Kit.run("validate", "--trust", bundles.trustStore(), "--trust-password", ModelBundles.PASSWORD, "--max-bundle-mb", 1, jar);
        assertThat(kit.problems()).containsExactly("a model bundle may inflate to at most 1 MB (max.bundle.mb); background.bin goes past it");
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in the card");
    }

    private static Path jar(String name, Map<String, String> extraHeaders, Map<String, byte[]> files) throws Exception {
        return bundles.unsigned(name, files, "model-card.yaml", extraHeaders);
    }
}
