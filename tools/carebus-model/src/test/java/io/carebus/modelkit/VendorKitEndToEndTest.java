package io.carebus.modelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.ModelRegistries;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Issue 28, end to end: a model the test trains itself (Tribuo logistic regression for acute kidney injury on a
 * generated cohort, exported to ONNX; neither demo model) goes init → card completed by the test → selftest
 * --generate → validate → pack --sign with a key from keys; the hospital's trust store gets the vendor's certificate,
 * and the appliance's own registry code serves the bundle with Tribuo's answers.
 */
class VendorKitEndToEndTest {

    static final String[] FEATURES = {"creatinine", "urine_output", "map", "age"};

    @TempDir
    Path work;

    record Patient(double[] x, boolean aki) {
    }

    /** Creatinine mg/dL, urine output mL/kg/h, mean arterial pressure mm[Hg], age years; AKI drawn from a logistic truth. */
    static List<Patient> cohort(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Patient> patients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double creatinine = 0.6 + r.nextDouble() * 2.4;
            double urine = 0.1 + r.nextDouble() * 1.4;
            double map = 55 + r.nextDouble() * 50;
            double age = 18 + r.nextInt(75);
            double z = -2.0 + 1.8 * (creatinine - 1.2) - 2.2 * (urine - 0.7) - 0.04 * (map - 75) + 0.02 * (age - 55);
            patients.add(new Patient(new double[] {creatinine, urine, map, age}, r.nextDouble() < 1 / (1 + Math.exp(-z))));
        }
        return patients;
    }

    static ArrayExample<Label> example(Patient p) {
        return new ArrayExample<>(new Label(p.aki() ? "aki" : "none"), FEATURES, p.x());
    }

    @Test
    void fromAFreshOnnxFileToABundleTheApplianceServes() throws Exception {
        // 1. The vendor's own training stack: Tribuo, exported to ONNX.
        List<Patient> patients = cohort(3000, 20261205L);
        LabelFactory labels = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("generated AKI cohort", labels), labels);
        patients.subList(0, 2400).forEach(p -> data.add(example(p)));
        Model<Label> model = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 30, 100_000, 1, 7L).train(data);
        Path folder = Files.createDirectories(work.resolve("aki-risk"));
        Path onnx = folder.resolve("model.onnx");
        ((ONNXExportable) model).saveONNXModel("com.acme", 1, onnx);
        int akiIndex = model.getOutputIDInfo().getID(new Label("aki"));
        List<String> order = new ArrayList<>();
        for (int id = 0; id < model.getFeatureIDMap().size(); id++) {
            order.add(model.getFeatureIDMap().get(id).getName());
        }

        // 2. init: a starter card from the graph, with TODOs; validate refuses it while they remain.
        Kit init = Kit.run("init", onnx, "--id", "aki-risk", "--vendor", "acme");
        assertThat(init.status()).as(init.toString()).isZero();
        String starter = Files.readString(folder.resolve(ModelDirectory.CARD));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        ObjectNode card = (ObjectNode) yaml.readTree(starter);
        assertThat(card.path("inputs").path("tabular")).hasSize(4);
        assertThat(card.path("files").get(0).path("sha256").asText()).isEqualTo(TestModel.sha(Files.readAllBytes(onnx)));
        String output = card.path("outputs").get(0).path("onnxOutput").asText();
        Kit unfinished = Kit.run("validate", folder);
        assertThat(unfinished.status()).isEqualTo(CareBusModel.REFUSED);
        assertThat(unfinished.problems()).anyMatch(p -> p.startsWith("still a TODO")).anyMatch(p -> p.contains("code"));

        // 3. The vendor completes the card (here: the test), and ships a background sample for SHAP.
        ArrayNode tabular = ((ObjectNode) card.path("inputs")).putArray("tabular");
        Map<String, String[]> specs = Map.of(
                "creatinine", new String[] {"http://loinc.org|2160-0", "mg/dL", "PT48H", "last"},
                "urine_output", new String[] {"http://loinc.org|9187-6", "mL/kg/h", "PT6H", "mean"},
                "map", new String[] {"http://loinc.org|8478-0", "mm[Hg]", "PT6H", "min"},
                "age", new String[] {"http://loinc.org|30525-0", "a", null, "last"});
        for (String f : order) {
            ObjectNode feature = tabular.addObject().put("name", f).put("code", specs.get(f)[0]).put("unit", specs.get(f)[1]);
            if (specs.get(f)[2] != null) {
                feature.put("window", specs.get(f)[2]);
            }
            feature.put("aggregate", specs.get(f)[3]);
        }
        ObjectNode out = (ObjectNode) card.path("outputs").get(0);
        out.put("label", "aki_risk").put("index", akiIndex).put("type", "probability").put("threshold", 0.4)
                .put("fhirResource", "RiskAssessment").put("code", "http://snomed.info/sct|14669001");
        card.put("name", "AKI risk (kit test)").put("intendedUse", "Tests the CareBus vendor kit; generated data, not for clinical use.");
        card.putArray("contraindications").add("Any clinical use");
        ((ArrayNode) card.path("files")).addObject().put("path", "background.csv").put("sha256", "0".repeat(64)).put("role", "background");
        card.putObject("explanation").put("method", "linear-shap");
        card.putObject("trainingData").put("summary", "2400 generated patients (VendorKitEndToEndTest.cohort)").put("source", "generated")
                .put("size", 2400).put("period", "n/a");
        ObjectNode performance = card.putObject("performance");
        performance.put("evaluation", "600 held-out generated patients");
        performance.putObject("overall").put("auroc", 0.8);
        card.put("changeControl", "Weights may change; inputs and outputs stay or the id changes.");
        Files.writeString(folder.resolve(ModelDirectory.CARD), yaml.writeValueAsString(card), StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder(String.join(",", order)).append('\n');
        for (Patient p : patients.subList(0, 100)) {
            for (int i = 0; i < order.size(); i++) {
                csv.append(i == 0 ? "" : ",").append(p.x()[List.of(FEATURES).indexOf(order.get(i))]);
            }
            csv.append('\n');
        }
        Files.writeString(folder.resolve("background.csv"), csv.toString());

        // 4. selftest --generate: ONNX Runtime on background rows, written into the card (with the file hashes).
        Kit generate = Kit.run("selftest", "--generate", "--rows", 3, folder);
        assertThat(generate.status()).as(generate.toString()).isZero();
        ObjectNode finished = (ObjectNode) yaml.readTree(folder.resolve(ModelDirectory.CARD).toFile());
        assertThat(finished.path("files").get(1).path("sha256").asText()).isEqualTo(TestModel.sha(Files.readAllBytes(folder.resolve("background.csv"))));
        assertThat(finished.path("selfTests")).hasSize(3);
        for (var test : finished.path("selfTests")) {
            double[] x = new double[FEATURES.length];
            for (int i = 0; i < FEATURES.length; i++) {
                x[i] = test.path("inputs").path(FEATURES[i]).asDouble();
            }
            double tribuo = model.predict(example(new Patient(x, false))).getOutputScores().get("aki").getScore();
            assertThat(test.path("expected").path("aki_risk").asDouble()).isCloseTo(tribuo, within(1e-4));
        }

        // 5. validate: the appliance's checks pass on the folder.
        Kit valid = Kit.run("validate", folder);
        assertThat(valid.status()).as(valid.toString()).isZero();

        // 6. keys, then pack --sign: a signed jar, checked before it is written.
        Path keys = work.resolve("keys");
        Kit keygen = Kit.run("keys", "--subject", "CN=Acme Test Models,O=Acme", "--out", keys, "--password", "acme-secret");
        assertThat(keygen.status()).as(keygen.toString()).isZero();
        assertThat(keygen.out()).contains("carebus:trust-vendor").contains("etc/carebus-model-trust.p12");
        assertThat(Files.readString(keys.resolve("vendor.csr"))).startsWith("-----BEGIN NEW CERTIFICATE REQUEST-----");
        Path jar = work.resolve("aki-risk-1.0.0.jar");
        Kit pack = Kit.run("pack", folder, "--sign", keys.resolve("vendor.p12"), "--password", "acme-secret", "-o", jar);
        assertThat(pack.status()).as(pack.toString()).isZero();
        assertThat(jar).exists();

        // 7. The hospital adds the vendor's certificate to its trust store; the appliance's code serves the model.
        Path trust = work.resolve("carebus-model-trust.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(keys.resolve("vendor.pem"))) {
            store.setCertificateEntry("acme", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream o = Files.newOutputStream(trust)) {
            store.store(o, "hospital".toCharArray());
        }
        Kit trusted = Kit.run("validate", "--trust", trust, "--trust-password", "hospital", jar);
        assertThat(trusted.status()).as(trusted.toString()).isZero();
        assertThat(trusted.out()).contains("aki-risk 1.0.0, signed by CN=Acme Test Models,O=Acme");
        try (ModelRegistries.Standalone appliance = ModelRegistries.open(trust, "hospital", List.of(jar), 1, 1)) {
            for (Patient p : patients.subList(2400, 2410)) {
                Map<String, Double> features = new java.util.HashMap<>();
                for (int i = 0; i < FEATURES.length; i++) {
                    features.put(FEATURES[i], p.x()[i]);
                }
                InferenceResult result = appliance.infer("aki-risk", null, "subject-1", features);
                double tribuo = model.predict(example(p)).getOutputScores().get("aki").getScore();
                assertThat(result.prediction().outputs().get("aki_risk")).isCloseTo(tribuo, within(1e-4));
            }
        }

        // 8. try: the bundle on a patient's FHIR Bundle, with the appliance's feature extraction, explainer and results.
        Path patient = work.resolve("patient-bundle.json");
        Files.writeString(patient, """
                {"resourceType": "Bundle", "type": "collection", "entry": [
                  %s, %s, %s, %s, %s, %s, %s
                ]}""".formatted(
                observation("2160-0", 1.5, "mg/dL", "2026-12-01T04:00:00Z"), observation("2160-0", 2.1, "mg/dL", "2026-12-02T08:00:00Z"),
                observation("9187-6", 0.4, "mL/kg/h", "2026-12-02T05:00:00Z"), observation("9187-6", 0.6, "mL/kg/h", "2026-12-02T09:00:00Z"),
                observation("8478-0", 70, "mm[Hg]", "2026-12-02T06:00:00Z"), observation("8478-0", 62, "mm[Hg]", "2026-12-02T09:30:00Z"),
                observation("30525-0", 67, "a", "2026-12-02T09:00:00Z")));
        Kit tried = Kit.run("try", jar, "--fhir", patient, "--as-of", "2026-12-02T10:00:00Z");
        assertThat(tried.status()).as(tried.toString()).isZero();
        // creatinine: last in 48 h; urine output: mean over 6 h; MAP: min over 6 h; age: last
        double expected = model.predict(example(new Patient(new double[] {2.1, 0.5, 62, 67}, false))).getOutputScores().get("aki").getScore();
        assertThat(tried.out()).contains("creatinine = 2.1", "urine_output = 0.5", "map = 62.0", "age = 67.0");
        String risk = tried.out().lines().filter(l -> l.strip().startsWith("aki_risk = ")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(risk.substring(risk.indexOf('=') + 1).strip())).isCloseTo(expected, within(1e-4));
        assertThat(tried.out()).contains("explanation of aki_risk (linear-shap").contains("\"resourceType\": \"RiskAssessment\"")
                .contains("\"resourceType\": \"Provenance\"");

        // For itests' VendorKitIT: the signed jar, the vendor's certificate, the patient and what try printed, so the
        // booted appliance can be given the same bundle and FHIR Bundle and compared with try.
        Path published = Files.createDirectories(Path.of("target/vendor-kit"));
        Files.copy(jar, published.resolve("aki-risk-1.0.0.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(keys.resolve("vendor.pem"), published.resolve("vendor.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(patient, published.resolve("patient-bundle.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(published.resolve("try-output.txt"), tried.out());

        // 9. pack refuses what validate refuses, and writes nothing.
        Files.writeString(folder.resolve(ModelDirectory.CARD), Files.readString(folder.resolve(ModelDirectory.CARD))
                .replace("unit: \"mg/dL\"", "unit: \"\""));
        Path refused = work.resolve("refused.jar");
        Kit noPack = Kit.run("pack", folder, "--sign", keys.resolve("vendor.p12"), "--password", "acme-secret", "-o", refused);
        assertThat(noPack.status()).isEqualTo(CareBusModel.REFUSED);
        assertThat(noPack.problems()).containsExactly("inputs.tabular[creatinine].unit is required");
        assertThat(refused).doesNotExist();
    }

    private static String observation(String loinc, double value, String unit, String when) {
        return """
                {"resource": {"resourceType": "Observation", "status": "final",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]}, "effectiveDateTime": "%s",
                  "valueQuantity": {"value": %s, "unit": "%s", "system": "http://unitsofmeasure.org", "code": "%s"}}}"""
                .formatted(loinc, when, value, unit, unit);
    }
}
