package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.api.model.ModelId;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import io.carebus.models.tools.OnnxGraphs;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CANARY state: a new version answers the configured share of requests (canary.share), the serving one the rest. */
class CanaryTest {

    private static final float[] V2_WEIGHTS = {0.05f, -0.4f, 1.0f};
    private static final float V2_BIAS = -4f;

    private final List<String> events = new ArrayList<>();
    private final ExecutorService shadows = Executors.newSingleThreadExecutor();
    private Registry registry;

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
        shadows.shutdownNow();
    }

    private static OrtModel v2() throws Exception {
        byte[] onnx = OnnxGraphs.logisticRegression(V2_WEIGHTS, V2_BIAS);
        CardDocument card = new CardReader().read(TestCards.card("2.0.0", ModelBundleInspector.sha256(onnx),
                TestCards.expected(V2_WEIGHTS, V2_BIAS, 100, 2.0, 1.5)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OrtModel model = OrtModel.open(OrtEnvironment.getEnvironment(), new ModelId(card.id(), card.version(),
                new io.carebus.api.Sha256(ModelBundleInspector.sha256(onnx))), card, onnx, new OrtSession.SessionOptions());
        SelfTests.run(model);
        return model;
    }

    private int canaryAnswers(int requests) throws Exception {
        int canary = 0;
        for (int i = 0; i < requests; i++) {
            String version = registry.infer("risk-demo", null, "p" + i, RegistryTest.patient(80 + i % 40)).prediction().model().version();
            assertThat(version).isIn("1.0.0", "2.0.0");
            canary += "2.0.0".equals(version) ? 1 : 0;
        }
        return canary;
    }

    @Test
    void aCanaryAnswersItsShareOfRequestsAndTheServingVersionTheRest() throws Exception {
        registry = new Registry(0.25, shadows, Clock.systemUTC(), (event, v) -> events.add(event + " " + v.version + " " + v.state));
        registry.add(1, "b1", RegistryTest.v1(), "vendor", ServingState.SERVING);
        registry.add(2, "b2", v2(), "vendor", ServingState.CANARY);
        assertThat(registry.models()).extracting(ModelView::version, ModelView::state)
                .contains(org.assertj.core.groups.Tuple.tuple("1.0.0", ServingState.SERVING), org.assertj.core.groups.Tuple.tuple("2.0.0", ServingState.CANARY));
        int n = 4000;
        int canary = canaryAnswers(n);
        // Binomial(4000, 0.25): mean 1000, sd 27.4; six sd either side fails once in ~10^9 runs.
        assertThat(canary).isBetween(1000 - 165, 1000 + 165);
        // Asked by version, the canary answers every time.
        assertThat(registry.infer("risk-demo", "2.0.0", "p", RegistryTest.patient(90)).prediction().model().version()).isEqualTo("2.0.0");
        // Promoted, it answers everything.
        registry.promote("risk-demo", "2.0.0");
        assertThat(canaryAnswers(200)).isEqualTo(200);
    }

    @Test
    void aCanaryShareOfZeroSendsItNothing() throws Exception {
        registry = new Registry(0.0, shadows, Clock.systemUTC(), (event, v) -> events.add(event + " " + v.version + " " + v.state));
        registry.add(1, "b1", RegistryTest.v1(), "vendor", ServingState.SERVING);
        registry.add(2, "b2", v2(), "vendor", ServingState.CANARY);
        assertThat(canaryAnswers(500)).isZero();
    }
}
