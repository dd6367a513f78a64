package io.carebus.models.tools;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
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
 * Builds the sepsis-risk example model bundle's contents at build time: simulates a cohort ({@link SepsisCohort}),
 * trains a logistic regression with Tribuo on 70% of it, exports it to ONNX, measures it on the held-out 30%
 * (overall and by subgroup), and writes the model card with the file hashes, a background sample for explanations,
 * and self-test vectors computed by ONNX Runtime on the exported graph.
 *
 * <p>Usage: {@code SepsisModelBuilder <output directory> <model version>}
 */
public final class SepsisModelBuilder {

    static final long SEED = 20261128L;
    static final int COHORT = 8000;
    static final double THRESHOLD = 0.3;

    private SepsisModelBuilder() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : "1.0.0";
        Files.createDirectories(out);
        List<SepsisCohort.Patient> cohort = SepsisCohort.generate(COHORT, SEED);
        int split = (int) (cohort.size() * 0.7);
        List<SepsisCohort.Patient> training = cohort.subList(0, split);
        List<SepsisCohort.Patient> heldOut = cohort.subList(split, cohort.size());

        LabelFactory labels = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("CareBus synthetic sepsis cohort", labels), labels);
        training.forEach(p -> dataset.add(example(p)));
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 40, 100_000, 1, SEED);
        Model<Label> model = trainer.train(dataset);

        Path onnx = out.resolve("model.onnx");
        ((ONNXExportable) model).saveONNXModel("io.carebus.models", 1, onnx);
        ImmutableFeatureMap featureMap = model.getFeatureIDMap();
        List<String> order = new ArrayList<>();
        for (int id = 0; id < featureMap.size(); id++) {
            order.add(featureMap.get(id).getName());
        }
        int sepsisIndex = model.getOutputIDInfo().getID(new Label("sepsis"));

        try (OrtEnvironment env = OrtEnvironment.getEnvironment();
             OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            String inputName = session.getInputNames().iterator().next();
            String outputName = session.getOutputNames().iterator().next();
            double[] scores = new double[heldOut.size()];
            boolean[] positive = new boolean[heldOut.size()];
            for (int i = 0; i < heldOut.size(); i++) {
                scores[i] = run(env, session, inputName, order, heldOut.get(i), sepsisIndex);
                positive[i] = heldOut.get(i).sepsis();
                double tribuo = model.predict(example(heldOut.get(i))).getOutputScores().get("sepsis").getScore();
                if (Math.abs(tribuo - scores[i]) > 1e-4) {
                    throw new IllegalStateException("ONNX export disagrees with Tribuo: " + scores[i] + " vs " + tribuo);
                }
            }
            StringBuilder card = new StringBuilder();
            card.append(header(version, sha256(Files.readAllBytes(onnx))));
            Path background = out.resolve("background.csv");
            Files.writeString(background, backgroundCsv(order, training.subList(0, 100)), StandardCharsets.US_ASCII);
            card.append("    role: model\n  - path: background.csv\n    sha256: ").append(sha256(Files.readAllBytes(background)))
                    .append("\n    role: background\n");
            card.append("inputs:\n  onnxInput: ").append(inputName).append("\n  tabular:\n");
            for (String feature : order) {
                card.append(featureYaml(feature));
            }
            card.append("outputs:\n  - label: sepsis_risk\n    onnxOutput: ").append(outputName).append("\n    index: ").append(sepsisIndex)
                    .append("\n    type: probability\n    threshold: ").append(THRESHOLD)
                    .append("\n    fhirResource: RiskAssessment\n    code: \"http://snomed.info/sct|91302008\"\n");
            card.append("""
                    explanation:
                      method: linear-shap
                      background: background.csv
                    trainingData:
                      summary: >-
                        %d synthetic adult inpatients from the CareBus sepsis cohort simulator
                        (models/model-tools SepsisCohort, seed %d): outcome drawn first, features from overlapping
                        class-conditional distributions; no real patient data. Trained on the first 70%% with Tribuo
                        %s logistic regression (AdaGrad, 40 epochs).
                      source: synthetic
                      size: %d
                    """.formatted(COHORT, SEED, "4.3.2", training.size()));
            card.append(performance(scores, positive, heldOut));
            card.append("""
                    changeControl: >-
                      Future versions may change the weights and the training cohort; the inputs (names, codes, units,
                      windows, aggregates), the output and its meaning stay, or the model id changes. Each version
                      arrives in shadow mode and is promoted only after its shadow comparison is reviewed.
                    selfTests:
                    """);
            for (int i = 0; i < 3; i++) {
                SepsisCohort.Patient p = heldOut.get(i * 7);
                card.append("  - inputs: {");
                for (int f = 0; f < order.size(); f++) {
                    card.append(f == 0 ? "" : ", ").append(order.get(f)).append(": ").append(value(p, order.get(f)));
                }
                card.append("}\n    expected: {sepsis_risk: ").append(run(env, session, inputName, order, p, sepsisIndex))
                        .append("}\n    tolerance: 0.00001\n");
            }
            card.append("disclaimer: synthetic training data — demonstration, not for clinical use\n");
            Files.writeString(out.resolve("model-card.yaml"), card.toString(), StandardCharsets.UTF_8);
            System.out.printf(Locale.ROOT, "sepsis-risk %s: held-out AUROC %.3f on %d patients%n", version,
                    Auroc.of(scores, positive), heldOut.size());
        }
    }

    private static Example<Label> example(SepsisCohort.Patient p) {
        return new ArrayExample<>(new Label(p.sepsis() ? "sepsis" : "none"), SepsisCohort.FEATURES.toArray(new String[0]), p.features());
    }

    private static double value(SepsisCohort.Patient p, String feature) {
        return p.features()[SepsisCohort.FEATURES.indexOf(feature)];
    }

    private static double run(OrtEnvironment env, OrtSession session, String input, List<String> order, SepsisCohort.Patient p,
            int index) throws Exception {
        float[] row = new float[order.size()];
        for (int f = 0; f < row.length; f++) {
            row[f] = (float) value(p, order.get(f));
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[] {1, row.length});
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            return ((float[][]) result.get(0).getValue())[0][index];
        }
    }

    private static String header(String version, String modelSha) {
        return """
                id: sepsis-risk
                version: "%s"
                vendor: carebus-demo
                name: Sepsis risk (demonstration)
                intendedUse: >-
                  Demonstrates CareBus model serving: estimates the risk that an adult inpatient develops sepsis, from
                  vital signs and labs of the last 6 to 24 hours, as a RiskAssessment for clinician review.
                contraindications:
                  - Any clinical use (synthetic training data)
                  - Patients under 18, pregnancy, or outside inpatient wards
                files:
                  - path: model.onnx
                    sha256: %s
                """.formatted(version, modelSha);
    }

    private static String featureYaml(String feature) {
        String[] spec = switch (feature) {
            case "heart_rate_max" -> new String[] {"http://loinc.org|8867-4", "/min", "PT6H", "max", null};
            case "resp_rate_max" -> new String[] {"http://loinc.org|9279-1", "/min", "PT6H", "max", null};
            case "temperature_max" -> new String[] {"http://loinc.org|8310-5", "Cel", "PT6H", "max", null};
            case "sbp_min" -> new String[] {"http://loinc.org|8480-6", "mm[Hg]", "PT6H", "min", null};
            case "wbc_last" -> new String[] {"http://loinc.org|6690-2", "10*3/uL", "PT24H", "last", null};
            case "lactate_last" -> new String[] {"http://loinc.org|2524-7", "mmol/L", "PT24H", "last", Double.toString(SepsisCohort.LACTATE_DEFAULT)};
            case "age" -> new String[] {"http://loinc.org|30525-0", "a", null, "last", null};
            default -> throw new IllegalStateException("unknown feature " + feature);
        };
        StringBuilder yaml = new StringBuilder("    - name: ").append(feature).append("\n      code: \"").append(spec[0])
                .append("\"\n      unit: \"").append(spec[1]).append("\"\n");
        if (spec[2] != null) {
            yaml.append("      window: ").append(spec[2]).append('\n');
        }
        yaml.append("      aggregate: ").append(spec[3]).append('\n');
        if (spec[4] != null) {
            yaml.append("      default: ").append(spec[4]).append('\n');
        }
        return yaml.toString();
    }

    private static String performance(double[] scores, boolean[] positive, List<SepsisCohort.Patient> heldOut) {
        StringBuilder yaml = new StringBuilder("performance:\n  evaluation: >-\n    Held-out 30% of the synthetic cohort (")
                .append(heldOut.size()).append(" patients); sensitivity and specificity at the threshold ").append(THRESHOLD)
                .append(". Figures describe the simulator, not any real population.\n  overall:\n");
        yaml.append(CardMetrics.yaml(scores, positive, i -> true, "    ", THRESHOLD));
        yaml.append("  subgroups:\n");
        Map<String, Predicate<SepsisCohort.Patient>> groups = new java.util.LinkedHashMap<>();
        groups.put("female", p -> p.sex().equals("female"));
        groups.put("male", p -> p.sex().equals("male"));
        groups.put("age 18-64", p -> p.age() < 65);
        groups.put("age 65-74", p -> p.age() >= 65 && p.age() < 75);
        groups.put("age 75+", p -> p.age() >= 75);
        for (Map.Entry<String, Predicate<SepsisCohort.Patient>> g : groups.entrySet()) {
            long size = heldOut.stream().filter(g.getValue()).count();
            yaml.append("    - name: \"").append(g.getKey()).append("\"\n      size: ").append(size).append("\n      metrics:\n")
                    .append(CardMetrics.yaml(scores, positive, i -> g.getValue().test(heldOut.get(i)), "        ", THRESHOLD));
        }
        return yaml.toString();
    }

    private static String backgroundCsv(List<String> order, List<SepsisCohort.Patient> rows) {
        StringBuilder csv = new StringBuilder(String.join(",", order)).append('\n');
        for (SepsisCohort.Patient p : rows) {
            for (int f = 0; f < order.size(); f++) {
                csv.append(f == 0 ? "" : ",").append(value(p, order.get(f)));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
