package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.carebus.inference.InferenceResult;
import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import io.carebus.inference.VendorTrustStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 28 end to end in the booted appliance: the bundle the vendor kit built (tools/carebus-model's
 * VendorKitEndToEndTest: a Tribuo model trained by the test, init → card → selftest --generate → validate → pack
 * --sign with a key from keys): the vendor's certificate is added to the booted appliance's trust store (the service
 * carebus:trust-vendor calls), the jar is uploaded over REST, serves, and gives for the same FHIR Bundle the same
 * features and output that {@code carebus-model try} printed. (That an untrusted vendor's bundle is refused and the
 * same bundle accepted once the certificate is added: carebus-inference TrustStoreFileTest. Re-uploading a refused
 * jar under the same file name is not used here: Karaf's file installer still tracks the bundle it uninstalled and
 * fails the "update".)
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VendorKitIT extends CareBusTestSupport {

    static final String KIT = "carebus.itest.vendor.kit";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected ModelRegistry registry;

    @Inject
    protected VendorTrustStore trustStore;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path kit = Path.of("../tools/carebus-model/target/vendor-kit").toAbsolutePath().normalize();
        if (!Files.isRegularFile(kit.resolve("aki-risk-1.0.0.jar"))) {
            throw new IllegalStateException("build tools/carebus-model with its tests first (VendorKitEndToEndTest writes " + kit + ")");
        }
        return plus(super.config(), systemProperty(KIT).value(kit.toString()));
    }

    @Test
    public void aKitBuiltBundleServesOnceItsVendorIsTrustedAndAnswersAsTryDid() throws Exception {
        Path kit = Path.of(System.getProperty(KIT));
        Path jar = kit.resolve("aki-risk-1.0.0.jar");
        await("the shipped example serves", Duration.ofSeconds(90), () -> registry.models().stream()
                .anyMatch(m -> "sepsis-risk".equals(m.modelId()) && m.state() == ServingState.SERVING));

        X509Certificate vendor;
        try (InputStream in = Files.newInputStream(kit.resolve("vendor.pem"))) {
            vendor = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String trusted = trustStore.trust("acme", vendor, "itest-admin");
        assertTrue(trusted, trusted.startsWith("CN=Acme Test Models,O=Acme"));
        assertTrue(trustStore.vendors().toString(), trustStore.vendors().stream().anyMatch(v -> v.startsWith("acme: CN=Acme Test Models")));

        HttpResponse<String> again = upload(jar);
        assertEquals(again.body(), 202, again.statusCode());
        await("aki-risk 1.0.0 serving", Duration.ofSeconds(60), () -> aki().anyMatch(m -> m.state() == ServingState.SERVING
                && "aki-risk".equals(m.modelId())));

        String tried = Files.readString(kit.resolve("try-output.txt"));
        InferenceResult served = registry.inferFhir("aki-risk", null, "itest-subject", Files.readString(kit.resolve("patient-bundle.json")),
                Instant.parse("2026-12-02T10:00:00Z"));
        // try prints "features:", then "outputs:", then the explanation (whose lines also start with feature names)
        String section = "";
        for (String line : tried.lines().toList()) {
            String l = line.strip();
            if (!line.startsWith(" ")) {
                section = l;
                continue;
            }
            if (!section.equals("features:") && !section.equals("outputs:")) {
                continue;
            }
            if (l.startsWith("aki_risk = ")) {
                assertEquals(Double.parseDouble(l.substring(11)), served.prediction().outputs().get("aki_risk"), 0.0);
            }
            for (String feature : new String[] {"creatinine", "urine_output", "map", "age"}) {
                if (l.startsWith(feature + " = ")) {
                    assertEquals(l, Double.parseDouble(l.substring(feature.length() + 3)), served.features().get(feature), 0.0);
                }
            }
        }
        assertTrue(tried, tried.contains("aki_risk = "));
    }

    /** The kit-built bundle's entries (a refused one has no model id or version, only its bundle name). */
    private java.util.stream.Stream<ModelView> aki() {
        return registry.models().stream().filter(m -> m.bundle() != null && m.bundle().startsWith("acme.aki-risk "));
    }

    private HttpResponse<String> upload(Path jar) throws Exception {
        return http(HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/models"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", basic("admin", adminPassword()))
                .POST(HttpRequest.BodyPublishers.ofFile(jar)).build());
    }
}
