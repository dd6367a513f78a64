package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.ChestNoduleModelBuilder;
import io.carebus.models.tools.ModelBundles;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grad-CAM contract of an imaging card, checked before the model serves: the head graph must be a file of the
 * bundle with role head, the activation output must be named with it, and the head must reproduce the model.
 */
class HeadGraphChecksTest {

    static final float[] W = {5f, -1f};
    static final float B = -1f;

    @TempDir
    static Path dir;
    static ModelBundles bundles;
    static byte[] model;
    static double constantExpected;

    @BeforeAll
    static void keys() throws Exception {
        bundles = new ModelBundles(dir);
        model = ChestNoduleModelBuilder.model(W, B);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] image = new float[224 * 224];
        java.util.Arrays.fill(image, 0.3f);
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 1, 224, 224});
             OrtSession.Result result = session.run(Map.of("image", input), java.util.Set.of("probability"))) {
            constantExpected = ((float[][]) result.get(0).getValue())[0][0];
        }
    }

    static String card(byte[] head, String explanation, boolean listHead) throws Exception {
        return """
                id: nodule-test
                version: "1.0.0"
                vendor: carebus-tests
                intendedUse: Tests of the Grad-CAM contract checks. Not for clinical use.
                contraindications: [Any clinical use]
                files:
                  - {path: model.onnx, sha256: %s, role: model}
                %s
                inputs:
                  onnxInput: image
                  image: {modality: CT, bodyPart: CHEST, width: 224, height: 224, windowCenter: -600, windowWidth: 1500, normalisation: unit}
                outputs:
                  - {label: nodule, onnxOutput: probability, index: 0, type: probability, threshold: 0.5, fhirResource: Observation, code: "urn:carebus:test|nodule"}
                explanation: %s
                trainingData: {summary: none - designed filters, source: tests}
                performance: {overall: {auroc: 0.5}, evaluation: none}
                changeControl: none
                selfTests:
                  - inputs: {constant: 0.3}
                    expected: {nodule: %s}
                    tolerance: 0.00001
                """.formatted(sha(model), listHead ? "  - {path: head.onnx, sha256: " + sha(head) + ", role: head}" : "", explanation,
                constantExpected);
    }

    private static Path jar(String name, byte[] head, String explanation, boolean listHead) throws Exception {
        Map<String, byte[]> files = listHead
                ? ModelBundles.files("model-card.yaml", card(head, explanation, true), "model.onnx", model, "head.onnx", head)
                : ModelBundles.files("model-card.yaml", card(head, explanation, false), "model.onnx", model);
        return bundles.signed(bundles.unsigned(name, files, "model-card.yaml"), "vendor");
    }

    private static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static final String GRAD_CAM = "{method: grad-cam, activationOutput: activations, headGraph: head.onnx}";

    @Test
    void theModelsOwnHeadServes() throws Exception {
        try (ModelRegistries.Standalone registry = ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD,
                List.of(jar("right", ChestNoduleModelBuilder.head(W, B), GRAD_CAM, true)), 1, 1);
             ModelLease lease = registry.lease("nodule-test", null)) {
            assertThat(lease.activationOutput()).contains("activations");
        }
    }

    @Test
    void aHeadThatIsNotTheModelsIsRefused() {
        assertThatThrownBy(() -> ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD,
                List.of(jar("other-head", ChestNoduleModelBuilder.head(new float[] {2f, 1f}, 0f), GRAD_CAM, true)), 1, 1))
                .isInstanceOf(ModelRefusedException.class).hasMessageContaining("does not reproduce the model");
    }

    @Test
    void aHeadThatIsNotInTheBundleOrAnActivationThatIsNotNamedIsRefused() {
        assertThatThrownBy(() -> ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD,
                List.of(jar("no-head", ChestNoduleModelBuilder.head(W, B), GRAD_CAM, false)), 1, 1))
                .hasMessageContaining("is not a file of the bundle with role head");
        assertThatThrownBy(() -> ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD,
                List.of(jar("no-activation", ChestNoduleModelBuilder.head(W, B), "{method: grad-cam, headGraph: head.onnx}", true)), 1, 1))
                .hasMessageContaining("grad-cam needs activationOutput");
        assertThatThrownBy(() -> ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD,
                List.of(jar("wrong-activation", ChestNoduleModelBuilder.head(W, B),
                        "{method: grad-cam, activationOutput: nodule, headGraph: head.onnx}", true)), 1, 1))
                .hasMessageContaining("is not a float output of the model");
    }
}
