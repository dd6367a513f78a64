package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.carebus.api.model.Prediction;
import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;
import javax.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Model bundles in the booted appliance: the shipped sepsis-risk example serves from deploy/ and answers a
 * {@code carebus:infer} route; a second version dropped into deploy/ shadows, is promoted and rolled back over the
 * REST API, and leaves when its file is deleted; an unsigned copy is refused with its reason.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ModelBundlesIT extends CareBusTestSupport {

    static final String V2 = "carebus.itest.model.v2";
    static final String UNSIGNED = "carebus.itest.model.unsigned";
    static final String EVIL = "carebus.itest.model.evil";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected ModelRegistry registry;

    @Inject
    protected org.osgi.framework.BundleContext bundleContext;

    @Inject
    protected CamelContext camel;

    /** Outside the container: a version 2.0.0 of the example, re-signed with the demo vendor key, and an unsigned copy. */
    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Option[] base = super.config();
        try {
            Path example = Path.of("../models/sepsis-risk/target").toAbsolutePath().normalize();
            Path v1 = Files.list(example).filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
            Path dir = Files.createDirectories(Path.of("target/model-bundles").toAbsolutePath());
            Path v2 = dir.resolve("sepsis-risk-2.0.0.jar");
            Path unsignedJar = dir.resolve("sepsis-risk-3.0.0-unsigned.jar");
            Path unsignedV2 = dir.resolve("v2-unsigned.jar");
            repack(v1, unsignedV2, "2.0.0");
            sign(unsignedV2, v2, Path.of("../models/demo-vendor/demo-vendor.p12"));
            repack(v1, unsignedJar, "3.0.0");
            Path evil = dir.resolve("evil-model.jar");
            evilBundle(v1, evil);
            return plus(base, systemProperty(V2).value(v2.toString()), systemProperty(UNSIGNED).value(unsignedJar.toString()),
                    systemProperty(EVIL).value(evil.toString()),
                    // Stored already hashed (the legacy SHA-512 form the realm still accepts): a clear-text entry makes
                    // Karaf rewrite users.properties from a stale copy on first use, which dropped the generated admin
                    // (seen in CI; InitialAdminPassword now re-appends a dropped entry while it waits, but a rewrite after
                    // that is Karaf's). Known issue: add users with bin/client jaas:* or hashed, not in clear text.
                    editConfigurationFilePut("etc/users.properties", "itest-engineer", "{CRYPT}" + java.util.HexFormat.of()
                            .formatHex(java.security.MessageDigest.getInstance("SHA-512")
                                    .digest("itest-engineer-pw".getBytes(java.nio.charset.StandardCharsets.UTF_8))) + "{CRYPT},engineer"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the test model bundles", e);
        }
    }

    private static void repack(Path source, Path target, String version) throws IOException {
        try (JarFile in = new JarFile(source.toFile())) {
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            in.getManifest().getMainAttributes().forEach(main::put);
            main.putValue("Bundle-Version", version);
            try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out, manifest)) {
                for (JarEntry e : Collections.list(in.entries())) {
                    if (e.getName().startsWith("META-INF/") || e.isDirectory()) {
                        continue;
                    }
                    byte[] bytes = in.getInputStream(e).readAllBytes();
                    if (e.getName().equals("model-card.yaml")) {
                        bytes = new String(bytes, StandardCharsets.UTF_8).replaceFirst("(?m)^version: .*$", "version: \"" + version + "\"")
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    jar.putNextEntry(new JarEntry(e.getName()));
                    jar.write(bytes);
                    jar.closeEntry();
                }
            }
        }
    }

    /** The example's card and graph, plus an activator class that leaves a marker file if it ever runs. */
    private static void evilBundle(Path source, Path target) throws IOException {
        Path activator = Path.of("target/test-classes/io/carebus/itests/evil/MarkerActivator.class");
        try (JarFile in = new JarFile(source.toFile())) {
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            in.getManifest().getMainAttributes().forEach(main::put);
            main.putValue("Bundle-SymbolicName", "evil.model");
            main.putValue("Bundle-Version", "6.6.6");
            main.putValue("Bundle-Activator", "io.carebus.itests.evil.MarkerActivator");
            main.putValue("Import-Package", "org.osgi.framework");
            try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out, manifest)) {
                for (JarEntry e : Collections.list(in.entries())) {
                    if (e.getName().startsWith("META-INF/") || e.isDirectory()) {
                        continue;
                    }
                    jar.putNextEntry(new JarEntry(e.getName()));
                    jar.write(in.getInputStream(e).readAllBytes());
                    jar.closeEntry();
                }
                jar.putNextEntry(new JarEntry("io/carebus/itests/evil/MarkerActivator.class"));
                jar.write(Files.readAllBytes(activator));
                jar.closeEntry();
            }
        }
    }

    private static void sign(Path unsigned, Path signed, Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, "carebus-demo".toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("demo-vendor", "carebus-demo".toCharArray());
        X509Certificate[] chain = Arrays.stream(store.getCertificateChain("demo-vendor")).toArray(X509Certificate[]::new);
        try (ZipFile in = new ZipFile(unsigned.toFile()); OutputStream out = Files.newOutputStream(signed)) {
            new jdk.security.jarsigner.JarSigner.Builder(key, CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)))
                    .digestAlgorithm("SHA-384").build().sign(in, out);
        }
    }

    private Optional<ModelView> model(String version) {
        return registry.models().stream().filter(m -> version.equals(m.version())).findFirst();
    }

    private static String password() throws Exception {
        return adminPassword();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http(HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic("admin", password()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static final Map<String, Object> PATIENT = Map.of("age", 72, "heart_rate_max", 121, "resp_rate_max", 27,
            "temperature_max", 38.9, "sbp_min", 92, "wbc_last", 15.4, "lactate_last", 3.2);

    private Exchange infer(ProducerTemplate template) {
        return template.request("direct:itest-infer", e -> {
            e.getMessage().setBody(PATIENT);
            e.getMessage().setHeader("CareBusSubject", "patient/PSEUDO-7");
        });
    }

    @Test
    public void theExampleServesAVersionShadowsIsPromotedRolledBackAndRemovedAndAnUnsignedOneIsRefused() throws Exception {
        await("sepsis-risk 1.0.0 serving from deploy/", Duration.ofSeconds(90),
                () -> model("1.0.0").map(m -> m.state() == ServingState.SERVING).orElse(false));
        assertTrue(model("1.0.0").orElseThrow().signer().contains("CareBus Demo Model Vendor"));

        Path route = karafBase().resolve("routes/itest-infer.yaml");
        Files.writeString(route, """
                - route:
                    id: itest-infer
                    from:
                      uri: direct:itest-infer
                      steps:
                        - to: carebus:infer?model=sepsis-risk
                        - to: carebus:explain?seed=7
                """);
        await("itest-infer route", Duration.ofSeconds(30), () -> camel.getRoute("itest-infer") != null);
        ProducerTemplate template = camel.createProducerTemplate();
        Exchange first = infer(template);
        assertNotNull(String.valueOf(first.getException()), first.getMessage().getBody(Prediction.class));
        assertEquals("1.0.0", first.getMessage().getHeader("CareBusModelVersion"));
        assertEquals("PREDICTED", first.getMessage().getHeader("CareBusInferenceOutcome"));
        double risk = first.getMessage().getBody(Prediction.class).outputs().get("sepsis_risk");
        assertTrue("risk " + risk, risk > 0.5 && risk <= 1.0);
        io.carebus.api.explain.Explanation why = first.getMessage().getHeader("CareBusExplanation", io.carebus.api.explain.Explanation.class);
        assertNotNull("carebus:explain left an explanation", why);
        assertTrue(why.method(), why.method().startsWith("linear-shap (exact"));
        assertEquals(7, why.contributions().size());
        // near p = 1 the float32 output limits log-odds precision to about 1e-3
        assertTrue("additivity gap " + why.additivityGap(), why.additivityGap().getAsDouble() < 1e-2);

        Path deploy = karafBase().resolve("deploy");
        Files.copy(Path.of(System.getProperty(V2)), deploy.resolve("sepsis-risk-2.0.0.jar"), StandardCopyOption.REPLACE_EXISTING);
        await("sepsis-risk 2.0.0 shadowing", Duration.ofSeconds(60),
                () -> model("2.0.0").map(m -> m.state() == ServingState.SHADOW).orElse(false));
        assertEquals("the serving version still answers", "1.0.0", infer(template).getMessage().getHeader("CareBusModelVersion"));
        await("the shadow ran on the same input", Duration.ofSeconds(10),
                () -> model("2.0.0").map(m -> m.shadowComparison().containsKey("runs")).orElse(false));

        // Hot swap under load: about 1,000 requests/s through the route (48 callers, each paced; every step is audited
        // durably, so one caller alone would wait for each commit) while the versions swap 10 times.
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentHashMap<Object, java.util.concurrent.atomic.AtomicLong> byVersion = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<Thread> callers = new java.util.ArrayList<>();
        for (int c = 0; c < 48; c++) {
            Thread caller = new Thread(() -> {
                long next = System.nanoTime();
                while (loading.get()) {
                    Exchange e = infer(template);
                    Object version = e.getMessage().getHeader("CareBusModelVersion");
                    if (e.getException() != null || !(e.getMessage().getBody() instanceof Prediction)
                            || !("1.0.0".equals(version) || "2.0.0".equals(version))) {
                        failures.add(String.valueOf(e.getException()));
                    }
                    answered.incrementAndGet();
                    byVersion.computeIfAbsent(String.valueOf(version), v -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
                    next += 48_000_000L; // 48 callers x one per 48 ms = 1,000 per second
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            });
            caller.start();
            callers.add(caller);
        }
        long swapStart = System.nanoTime();
        // Each swap waits for requests, not for time: 25 more answers from the version now serving before the next swap,
        // so every swap happens under load whatever else the two cores are doing.
        for (int swap = 0; swap < 10; swap++) {
            awaitAnswers(byVersion, "1.0.0", 25, failures);
            registry.promote("sepsis-risk", "2.0.0");
            awaitAnswers(byVersion, "2.0.0", 25, failures);
            registry.rollback("sepsis-risk");
        }
        loading.set(false);
        for (Thread caller : callers) {
            caller.join(10_000);
        }
        double seconds = (System.nanoTime() - swapStart) / 1e9;
        assertEquals("failed requests during swaps", java.util.List.of(), failures);
        // Load, not speed, is what this proves (speed lives in bench/inference): each of the 20 swaps came after 25
        // answers from the version serving, so both versions answered at least 250 requests in between.
        assertTrue("answers by version during swaps: " + byVersion + " in " + seconds + " s",
                byVersion.get("1.0.0").get() >= 250 && byVersion.get("2.0.0").get() >= 250);

        HttpResponse<String> promoted = post("/api/models/sepsis-risk/2.0.0/promote", "");
        assertEquals(promoted.body(), 200, promoted.statusCode());
        assertEquals("2.0.0", infer(template).getMessage().getHeader("CareBusModelVersion"));
        HttpResponse<String> rolledBack = post("/api/models/sepsis-risk/rollback", "");
        assertEquals(rolledBack.body(), 200, rolledBack.statusCode());
        assertEquals("1.0.0", infer(template).getMessage().getHeader("CareBusModelVersion"));

        Files.delete(deploy.resolve("sepsis-risk-2.0.0.jar"));
        await("sepsis-risk 2.0.0 gone", Duration.ofSeconds(60), () -> model("2.0.0").isEmpty());
        assertEquals("1.0.0", infer(template).getMessage().getHeader("CareBusModelVersion"));

        // the upload path ends in the same checks as deploy/
        HttpResponse<String> uploaded = http(HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/models"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", basic("admin", password()))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(Path.of(System.getProperty(UNSIGNED)))).build());
        assertEquals(uploaded.body(), 202, uploaded.statusCode());
        assertTrue(uploaded.body(), uploaded.body().contains("deploy/io.carebus.models.sepsis-risk-3.0.0.jar"));
        await("the unsigned bundle refused", Duration.ofSeconds(60), () -> registry.models().stream()
                .anyMatch(m -> m.state() == ServingState.REFUSED && m.bundle().contains("3.0.0")));
        ModelView refused = registry.models().stream().filter(m -> m.state() == ServingState.REFUSED && m.bundle().contains("3.0.0"))
                .findFirst().orElseThrow();
        assertTrue(refused.reason(), refused.reason().startsWith("unsigned"));
        HttpResponse<String> listed = get("/api/models", "admin", password());
        assertTrue(listed.body(), listed.body().contains("\"REFUSED\"") && listed.body().contains("unsigned: model bundles must be signed"));

        HttpResponse<String> missing = post("/api/models/sepsis-risk/predict", "{\"age\": 70}");
        assertEquals(missing.body(), 422, missing.statusCode());
        assertTrue(missing.body(), missing.body().contains("heart_rate_max"));
        Files.delete(route);
        await("the refused jar moved out of deploy/", Duration.ofSeconds(30),
                () -> !Files.exists(deploy.resolve("io.carebus.models.sepsis-risk-3.0.0.jar")));
    }

    /**
     * Issue 20: an uploaded jar with a CareBus-Model header and a Bundle-Activator must never run. Karaf's deployer
     * installs and starts whatever lands in deploy/; the model guard keeps it unresolved until the extender has
     * refused it, then it is uninstalled and its file moved out of deploy/ with the reason.
     */
    @Test
    public void aModelBundleWithAnActivatorNeverRunsIsRefusedUninstalledAndMovedAside() throws Exception {
        await("the shipped example serves", Duration.ofSeconds(90),
                () -> model("1.0.0").map(m -> m.state() == ServingState.SERVING).orElse(false));
        URI models = URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/models");
        Path evil = Path.of(System.getProperty(EVIL));
        HttpResponse<String> asEngineer = http(HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(30))
                .header("Authorization", basic("itest-engineer", "itest-engineer-pw"))
                .POST(HttpRequest.BodyPublishers.ofFile(evil)).build());
        assertEquals("installing a model needs admin: " + asEngineer.body(), 403, asEngineer.statusCode());
        HttpResponse<String> promoteAsEngineer = http(HttpRequest.newBuilder(URI.create(models + "/sepsis-risk/rollback"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic("itest-engineer", "itest-engineer-pw"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(promoteAsEngineer.body(), 403, promoteAsEngineer.statusCode());

        HttpResponse<String> uploaded = http(HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(30))
                .header("Authorization", basic("admin", password())).POST(HttpRequest.BodyPublishers.ofFile(evil)).build());
        assertEquals(uploaded.body(), 202, uploaded.statusCode());
        await("the activator bundle refused", Duration.ofSeconds(60), () -> registry.models().stream()
                .anyMatch(m -> m.state() == ServingState.REFUSED && m.bundle().startsWith("evil.model")));
        ModelView refused = registry.models().stream().filter(m -> m.bundle().startsWith("evil.model")).findFirst().orElseThrow();
        assertTrue(refused.reason(), refused.reason().contains("Bundle-Activator"));

        Path deployed = karafBase().resolve("deploy/evil.model-6.6.6.jar");
        await("the refused jar left deploy/ and its bundle is uninstalled", Duration.ofSeconds(30), () -> !Files.exists(deployed)
                && Arrays.stream(bundleContext.getBundles()).noneMatch(b -> "evil.model".equals(b.getSymbolicName())));
        try (var moved = Files.list(karafData().resolve("carebus/refused-models"))) {
            Path reason = moved.filter(p -> p.getFileName().toString().endsWith("evil.model-6.6.6.jar.reason")).findFirst().orElseThrow();
            assertTrue(Files.readString(reason).contains("Bundle-Activator"));
        }
        assertTrue("the vendor's activator ran inside the engine",
                !Files.exists(karafData().resolve(io.carebus.itests.evil.MarkerActivator.MARKER)));

        // The same name and version again while it is deployed: a conflict, never a silent in-place update.
        HttpRequest v2 = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(30)).header("Authorization", basic("admin", password()))
                .POST(HttpRequest.BodyPublishers.ofFile(Path.of(System.getProperty(V2)))).build();
        assertEquals(202, http(v2).statusCode());
        HttpResponse<String> again = http(v2);
        assertEquals(again.body(), 409, again.statusCode());
        Files.delete(karafBase().resolve("deploy/io.carebus.models.sepsis-risk-2.0.0.jar"));
        await("the uploaded 2.0.0 gone again", Duration.ofSeconds(60), () -> model("2.0.0").isEmpty());
    }

    /** Until {@code count} more answers came from {@code version} (callers keep running); fails after a minute. */
    private static void awaitAnswers(java.util.Map<Object, java.util.concurrent.atomic.AtomicLong> byVersion, String version, long count,
                                     java.util.List<String> failures) throws InterruptedException {
        long start = byVersion.computeIfAbsent(version, v -> new java.util.concurrent.atomic.AtomicLong()).get();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (byVersion.get(version).get() < start + count) {
            if (System.nanoTime() > deadline || !failures.isEmpty()) {
                throw new AssertionError("no " + count + " answers from " + version + " within a minute: " + byVersion + ", " + failures);
            }
            Thread.sleep(5);
        }
    }
}
