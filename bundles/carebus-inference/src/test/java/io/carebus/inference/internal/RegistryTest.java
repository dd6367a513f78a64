package io.carebus.inference.internal;

import io.carebus.models.tools.OnnxGraphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.api.model.ModelId;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.nio.FloatBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions, self-tests and version states on real ONNX Runtime sessions. */
class RegistryTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final float[] V2_WEIGHTS = {0.05f, -0.4f, 1.0f};
    private static final float V2_BIAS = -4f;

    private final List<String> events = new ArrayList<>();
    private ExecutorService shadows;
    private Registry registry;

    @BeforeEach
    void open() {
        shadows = Executors.newSingleThreadExecutor();
        registry = new Registry(0.0, shadows, Clock.systemUTC(), (event, v) -> events.add(event + " " + v.version + " " + v.state));
    }

    @AfterEach
    void close() {
        registry.close();
        shadows.shutdownNow();
    }

    private static OrtModel model(String version, float[] weights, float bias, double selfTestExpected) throws Exception {
        byte[] onnx = OnnxGraphs.logisticRegression(weights, bias);
        CardDocument card = new CardReader().read(TestCards.card(version, ModelBundleInspector.sha256(onnx), selfTestExpected)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OrtModel model = OrtModel.open(ENV, new ModelId(card.id(), card.version(), new io.carebus.api.Sha256(ModelBundleInspector.sha256(onnx))),
                card, onnx, new OrtSession.SessionOptions());
        SelfTests.run(model);
        return model;
    }

    static OrtModel v1() throws Exception {
        return model("1.0.0", TestCards.WEIGHTS, TestCards.BIAS, TestCards.selfTestExpected());
    }

    private static OrtModel v2() throws Exception {
        return model("2.0.0", V2_WEIGHTS, V2_BIAS, TestCards.expected(V2_WEIGHTS, V2_BIAS, 100, 2.0, 1.5));
    }

    static Map<String, Double> patient(double hr) {
        return Map.of("heart_rate", hr, "lactate", 3.0, "temperature", 1.2);
    }

    @Test
    void theEnginesOutputIsBitForBitWhatOnnxRuntimeComputes() throws Exception {
        registry.add(1, "b1", v1(), "vendor", ServingState.SHADOW);
        byte[] onnx = OnnxGraphs.logisticRegression(TestCards.WEIGHTS, TestCards.BIAS);
        try (OrtSession raw = ENV.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[] {97f, 3.0f, 1.2f}), new long[] {1, 3});
             OrtSession.Result result = raw.run(Map.of("features", input))) {
            float rawRisk = ((float[][]) result.get(0).getValue())[0][0];
            InferenceResult engine = registry.infer("risk-demo", null, "patient/P1", patient(97));
            assertThat(engine.prediction().outputs().get("risk")).isEqualTo((double) rawRisk);
            assertThat(engine.servedBy()).isEqualTo(ServingState.SERVING); // a model's first version serves
            assertThat(engine.prediction().model().sha256().hex()).isEqualTo(ModelBundleInspector.sha256(onnx));
        }
    }

    @Test
    void anotherSignerCannotTakeOverAModelIdOrABundleNameAndAVersionIsNeverReplaced() throws Exception {
        registry.add(1, "vendor.model 1.0.0", v1(), "CN=Vendor", ServingState.SHADOW);

        LiveVersion hijack = registry.add(2, "other.bundle 2.0.0", v2(), "CN=Attacker", ServingState.SERVING);
        assertThat(hijack.state).isEqualTo(ServingState.REFUSED);
        assertThat(hijack.reason).isEqualTo("model id risk-demo belongs to signer CN=Vendor; CN=Attacker cannot take it over");

        LiveVersion again = registry.add(3, "vendor.model.copy 1.0.0", v1(), "CN=Vendor", ServingState.SHADOW);
        assertThat(again.reason).startsWith("version 1.0.0 of risk-demo is already live from another bundle (vendor.model 1.0.0)");

        assertThat(registry.infer("risk-demo", null, "patient/P1", patient(97)).prediction().model().version()).isEqualTo("1.0.0");
        assertThat(registry.add(4, "vendor.model 2.0.0", v2(), "CN=Vendor", ServingState.SHADOW).state).isEqualTo(ServingState.SHADOW);
    }

    @Test
    void aRefusalStaysListedAfterItsBundleIsUninstalled() {
        registry.refuse(7, "evil.model 1.0.0", null, null, "a model bundle must not have a Bundle-Activator header");
        registry.remove(7);
        assertThat(registry.models()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(ServingState.REFUSED);
            assertThat(m.reason()).contains("Bundle-Activator");
        });
    }

    @Test
    void aFailingSelfTestRefusesTheModel() {
        assertThatThrownBy(() -> model("1.0.0", TestCards.WEIGHTS, TestCards.BIAS, 0.123))
                .isInstanceOf(ModelRefusedException.class).hasMessageStartingWith("self-test 1 failed: risk = ");
    }

    @Test
    void aModelWhoseInputDoesNotMatchTheCardIsRefused() throws Exception {
        byte[] onnx = OnnxGraphs.logisticRegression(new float[] {1f, 2f, 3f, 4f}, 0f);
        CardDocument card = new CardReader().read(TestCards.card("1.0.0", ModelBundleInspector.sha256(onnx), 0.5)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> OrtModel.open(ENV, new ModelId("risk-demo", "1.0.0", new io.carebus.api.Sha256(ModelBundleInspector.sha256(onnx))),
                card, onnx, new OrtSession.SessionOptions()))
                .hasMessage("the model's input features takes 4 values per row, the card declares 3 features");
    }

    @Test
    void missingDataWithoutDefaultIsSaidNotGuessed() throws Exception {
        registry.add(1, "b1", v1(), "vendor", ServingState.SHADOW);
        assertThatThrownBy(() -> registry.infer("risk-demo", null, "patient/P1", Map.of("lactate", 2.0)))
                .isInstanceOf(InsufficientDataException.class)
                .satisfies(e -> assertThat(((InsufficientDataException) e).missing()).containsExactly("heart_rate", "temperature"));
        // lactate has a default of 1.0 in the card
        double risk = registry.infer("risk-demo", null, "patient/P1", Map.of("heart_rate", 90.0, "temperature", 1.0))
                .prediction().outputs().get("risk");
        assertThat(risk).isCloseTo(TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, 90, 1.0, 1.0), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void fhirObservationsBecomeTheInputAndMissingOnesAreInsufficientData() throws Exception {
        registry.add(1, "b1", v1(), "vendor", ServingState.SHADOW);
        String fhir = """
                {"resourceType": "Bundle", "type": "collection", "entry": [
                 {"resource": {"resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-28T10:00:00Z",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}, "valueQuantity": {"value": 97, "code": "/min"}}},
                 {"resource": {"resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-28T10:00:00Z",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]}, "valueQuantity": {"value": 1.2, "code": "Cel"}}}]}
                """;
        java.time.Instant asOf = java.time.Instant.parse("2026-11-28T12:00:00Z");
        double risk = registry.inferFhir("risk-demo", null, "p", fhir, asOf).prediction().outputs().get("risk");
        // lactate has no observation: the card's default 1.0 stands in
        assertThat(risk).isCloseTo(TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, 97, 1.0, 1.2), org.assertj.core.data.Offset.offset(1e-6));
        assertThatThrownBy(() -> registry.inferFhir("risk-demo", null, "p", fhir, asOf.plus(java.time.Duration.ofHours(7))))
                .isInstanceOf(InsufficientDataException.class).hasMessageContaining("heart_rate");
    }

    @Test
    void aSecondVersionShadowsThenPromoteRollBackAndRetire() throws Exception {
        registry.add(1, "b1", v1(), "vendor", ServingState.SHADOW);
        registry.add(2, "b2", v2(), "vendor", ServingState.SHADOW);
        for (int i = 0; i < 20; i++) {
            assertThat(registry.infer("risk-demo", null, "patient/P1", patient(80 + i)).prediction().model().version()).isEqualTo("1.0.0");
        }
        shadows.submit(() -> { }).get(5, TimeUnit.SECONDS); // one shadow thread: every earlier shadow run is done
        ModelView shadow = registry.models().stream().filter(m -> "2.0.0".equals(m.version())).findFirst().orElseThrow();
        assertThat(shadow.state()).isEqualTo(ServingState.SHADOW);
        assertThat((Long) shadow.shadowComparison().get("runs")).isEqualTo(20L);
        assertThat((Double) shadow.shadowComparison().get("maxAbsDiff")).isPositive();

        registry.promote("risk-demo", "2.0.0");
        assertThat(registry.infer("risk-demo", null, "p", patient(90)).prediction().model().version()).isEqualTo("2.0.0");
        registry.rollback("risk-demo");
        assertThat(registry.infer("risk-demo", null, "p", patient(90)).prediction().model().version()).isEqualTo("1.0.0");
        registry.setState("risk-demo", "2.0.0", ServingState.RETIRED);
        assertThatThrownBy(() -> registry.infer("risk-demo", "2.0.0", "p", patient(90))).hasMessageContaining("no live version 2.0.0");
        assertThat(events).contains("install 1.0.0 SHADOW", "activate 1.0.0 SERVING", "install 2.0.0 SHADOW", "activate 2.0.0 SERVING",
                "retire 2.0.0 RETIRED");
    }

    @Test
    void removingTheServingBundleHandsServingBackToThePreviousVersion() throws Exception {
        registry.add(1, "b1", v1(), "vendor", ServingState.SHADOW);
        registry.add(2, "b2", v2(), "vendor", ServingState.SERVING);
        assertThat(registry.infer("risk-demo", null, "p", patient(90)).prediction().model().version()).isEqualTo("2.0.0");
        registry.remove(2);
        assertThat(registry.infer("risk-demo", null, "p", patient(90)).prediction().model().version()).isEqualTo("1.0.0");
    }

    private static OrtModel batched(OrtModel model) {
        model.batch(64, 0, 2);
        return model;
    }

    @Test
    void batchedAnswersAreEachRowsOwn() throws Exception {
        registry.add(1, "b1", batched(v1()), "vendor", ServingState.SHADOW);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            work.add(callers.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    double hr = 50 + thread * 10 + (i % 10);
                    double risk = registry.infer("risk-demo", null, "p", patient(hr)).prediction().outputs().get("risk");
                    assertThat(risk).isCloseTo(TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, hr, 3.0, 1.2),
                            org.assertj.core.data.Offset.offset(1e-6));
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
        callers.shutdown();
    }

    @Test
    void swapsUnderLoadNeitherFailNorMixSessions() throws Exception {
        registry.add(1, "b1", batched(v1()), "vendor", ServingState.SHADOW);
        registry.add(2, "b2", batched(v2()), "vendor", ServingState.SHADOW);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        ConcurrentHashMap<String, Throwable> failures = new ConcurrentHashMap<>();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            work.add(callers.submit(() -> {
                int i = 0;
                while (running.get()) {
                    double hr = 60 + (i++ % 80);
                    try {
                        InferenceResult r = registry.infer("risk-demo", null, "p", patient(hr));
                        boolean v1 = r.prediction().model().version().equals("1.0.0");
                        double expected = v1 ? TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, hr, 3.0, 1.2)
                                : TestCards.expected(V2_WEIGHTS, V2_BIAS, hr, 3.0, 1.2);
                        if (Math.abs(r.prediction().outputs().get("risk") - expected) > 1e-5) {
                            failures.put("mixed " + r.prediction().model().version() + " " + hr, new AssertionError());
                        }
                        answered.incrementAndGet();
                    } catch (Exception e) {
                        failures.put(e.toString(), e);
                    }
                }
            }));
        }
        long v2Bundle = 2;
        // Each arrangement serves requests before the next swap: 20 more answers, counted, not a pause that a loaded
        // machine may fill with nothing.
        for (int swap = 0; swap < 10; swap++) {
            awaitMoreAnswers(answered, 20, failures);
            registry.promote("risk-demo", "2.0.0");
            awaitMoreAnswers(answered, 20, failures);
            registry.rollback("risk-demo");
            // undeploy v2 (its session closes once its last request is done) and deploy it again, serving at once
            awaitMoreAnswers(answered, 20, failures);
            registry.remove(v2Bundle);
            v2Bundle = 100 + swap;
            registry.add(v2Bundle, "b" + v2Bundle, batched(v2()), "vendor", ServingState.SERVING);
        }
        running.set(false);
        for (Future<?> f : work) {
            f.get(10, TimeUnit.SECONDS);
        }
        callers.shutdown();
        assertThat(failures).isEmpty();
        assertThat(answered.get()).isGreaterThanOrEqualTo(600);
        assertThat(events.stream().filter(e -> e.startsWith("retire 2.0.0"))).hasSize(10);
    }

    private static void awaitMoreAnswers(AtomicLong answered, long more, Map<String, Throwable> failures) throws InterruptedException {
        long target = answered.get() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answered.get() < target && failures.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("callers answered only " + answered.get() + " of " + target + " within 30 s");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Requests in flight without threads (inferAsync) are coalesced: far fewer ORT calls than requests, and each
     * answer is its own row's. An insufficient-data request fails its own future only.
     */
    @Test
    void asynchronousRequestsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        OrtModel model = v1();
        model.batch(64, 2000, 2);
        registry.add(1, "b1", model, "vendor", ServingState.SHADOW);
        int requests = 512;
        List<java.util.concurrent.CompletableFuture<InferenceResult>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            answers.add(registry.inferAsync("risk-demo", null, "p", patient(50 + i % 100)).toCompletableFuture());
        }
        java.util.concurrent.CompletableFuture<InferenceResult> insufficient =
                registry.inferAsync("risk-demo", null, "p", Map.of("lactate", 2.0)).toCompletableFuture();
        for (int i = 0; i < requests; i++) {
            double risk = answers.get(i).get(10, TimeUnit.SECONDS).prediction().outputs().get("risk");
            assertThat(risk).isCloseTo(TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, 50 + i % 100, 3.0, 1.2),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThatThrownBy(() -> insufficient.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InsufficientDataException.class);
        // the self-test's runs come before; the requests went in batches
        assertThat(model.calls()).isLessThan(requests / 4);
    }

    /** Blocked and asynchronous callers in the same batches, no waiting for more rows: every one is answered. */
    @Test
    void blockedAndAsynchronousCallersMixedInBatchesAreAllAnswered() throws Exception {
        OrtModel model = v1();
        model.batch(64, 0, 2);
        registry.add(1, "b1", model, "vendor", ServingState.SHADOW);
        ExecutorService callers = Executors.newFixedThreadPool(10);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            boolean async = t < 2;
            work.add(callers.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    double hr = 50 + i % 90;
                    double expected = TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, hr, 3.0, 1.2);
                    InferenceResult r = async
                            ? registry.inferAsync("risk-demo", null, "p", patient(hr)).toCompletableFuture().get(10, TimeUnit.SECONDS)
                            : registry.infer("risk-demo", null, "p", patient(hr));
                    assertThat(r.prediction().outputs().get("risk")).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        callers.shutdown();
    }
}
