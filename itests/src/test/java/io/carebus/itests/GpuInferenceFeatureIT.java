package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;

import io.carebus.api.model.Prediction;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The appliance booted with the {@code carebus-inference-gpu} feature added to featuresBoot and nothing else
 * changed ({@code execution.provider = auto}): exactly one ONNX Runtime (the GPU build) is installed, the shipped models serve
 * and answer a route, ORT's core finds the CUDA provider library where the bundle put it, and without a usable GPU
 * (CI has none) the engine says so in one log line and runs on the CPU. A refresh of the ORT bundle loads the natives
 * again under a new path and the models serve again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GpuInferenceFeatureIT extends CareBusTestSupport {

    private static final String GPU_ORT = "io.carebus.thirdparty.onnxruntime.gpu";
    private static final String CPU_ORT = "io.carebus.thirdparty.onnxruntime";
    private static final String FALLBACK = "execution.provider = auto asks for CUDA (device 0), but ";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected BundleContext context;

    @Inject
    protected CamelContext camel;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        // Nothing else: execution.provider = auto (the shipped default) asks for CUDA from the GPU build.
        return plus(super.config(), editConfigurationFileExtend("etc/org.apache.karaf.features.cfg", "featuresBoot",
                "carebus-inference-gpu/0.1.0.SNAPSHOT"));
    }

    @Test
    public void theGpuBuildIsTheOnlyOrtItsCudaProviderIsFoundAndWithoutAGpuModelsServeOnTheCpu() throws Exception {
        List<Bundle> gpu = Arrays.stream(context.getBundles()).filter(b -> GPU_ORT.equals(b.getSymbolicName())).toList();
        assertEquals("the GPU build of ORT installed once", 1, gpu.size());
        assertEquals(Bundle.ACTIVE, gpu.get(0).getState());
        assertTrue("the CPU build of ORT is not installed beside it",
                Arrays.stream(context.getBundles()).noneMatch(b -> CPU_ORT.equals(b.getSymbolicName())));
        String firstPath = System.getProperty("onnxruntime.native.path");
        assertNotNull("the bundle named ORT's native folder", firstPath);
        assertTrue(firstPath, Files.isRegularFile(Path.of(firstPath, "libonnxruntime_providers_cuda.so")));

        Instant bootServed = awaitServing("sepsis-risk", Instant.EPOCH);
        Path route = karafBase().resolve("routes/itest-gpu-infer.yaml");
        Files.writeString(route, """
                - route:
                    id: itest-gpu-infer
                    from:
                      uri: direct:itest-gpu-infer
                      steps:
                        - to: carebus:infer?model=sepsis-risk
                """);
        await("itest-gpu-infer route", Duration.ofSeconds(30), () -> camel.getRoute("itest-gpu-infer") != null);
        Exchange answer = camel.createProducerTemplate().request("direct:itest-gpu-infer", e -> {
            e.getMessage().setBody(Map.of("age", 72, "heart_rate_max", 121, "resp_rate_max", 27, "temperature_max", 38.9,
                    "sbp_min", 92, "wbc_last", 15.4, "lactate_last", 3.2));
            e.getMessage().setHeader("CareBusSubject", "patient/PSEUDO-8");
        });
        Prediction prediction = answer.getMessage().getBody(Prediction.class);
        assertNotNull(String.valueOf(answer.getException()), prediction);
        double risk = prediction.outputs().get("sepsis_risk");
        assertTrue("risk " + risk, risk > 0.5 && risk <= 1.0);

        List<String> log = Files.readAllLines(karafData().resolve("log/karaf.log"));
        List<String> fallbacks = log.stream().filter(l -> l.contains(FALLBACK)).toList();
        if (Files.exists(Path.of("/dev/nvidia0"))) {
            assertEquals("a GPU is present: no fallback", List.of(), fallbacks);
            assertTrue(log.stream().anyMatch(l -> l.contains("SERVING on cuda:0")));
        } else {
            assertEquals("one clear line says why the CPU is used: " + fallbacks, 1, fallbacks.size());
            // ORT's Java side found the provider library in onnxruntime.native.path (else "Failed to find CUDA
            // shared provider"); its core then tried to load it from its own folder and stopped at CUDA's libraries.
            assertTrue(fallbacks.get(0), fallbacks.get(0).contains("Failed to load shared library"));
            assertTrue(log.stream().anyMatch(l -> l.contains("sepsis-risk@1.0.0") && l.contains("SERVING on cpu (CUDA not usable")));
        }

        // A refresh of the ORT bundle (and of every bundle wired to it) gets a new class loader, which must load the
        // natives under a new path; the models are checked and serve again on it.
        Bundle ort = gpu.get(0);
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(ort), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("the refresh finished", refreshed.await(120, TimeUnit.SECONDS));
        String secondPath = System.getProperty("onnxruntime.native.path");
        assertTrue(firstPath + " then " + secondPath, !secondPath.equals(firstPath)
                && Files.isRegularFile(Path.of(secondPath, "libonnxruntime.so")));
        awaitServing("sepsis-risk", bootServed);
        assertEquals(Bundle.ACTIVE, ort.getState());
    }

    private static final Pattern MODEL = Pattern.compile(
            "\"model\" : \"([^\"]+)\",\\s*\"version\" : \"1\\.0\\.0\",.*?\"state\" : \"(\\w+)\",.*?\"since\" : \"([^\"]+)\"",
            Pattern.DOTALL);

    /** Waits until GET /api/models shows version 1.0.0 of {@code model} serving since after {@code after}. */
    private Instant awaitServing(String model, Instant after) throws Exception {
        String password = adminPassword();
        Instant[] since = new Instant[1];
        await(model + " serving (since after " + after + ")", Duration.ofSeconds(120), () -> {
            try {
                HttpResponse<String> models = get("/api/models", "admin", password);
                Matcher m = MODEL.matcher(models.body());
                while (models.statusCode() == 200 && m.find()) {
                    if (m.group(1).equals(model) && m.group(2).equals("SERVING") && Instant.parse(m.group(3)).isAfter(after)) {
                        since[0] = Instant.parse(m.group(3));
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        return since[0];
    }
}
