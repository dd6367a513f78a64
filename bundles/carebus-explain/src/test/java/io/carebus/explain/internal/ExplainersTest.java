package io.carebus.explain.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carebus.api.explain.Explanation;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.ModelBundles;
import io.carebus.models.tools.OnnxGraphs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known answers on real signed model bundles served by the registry: a logistic regression (exact linear SHAP must
 * equal βᵢ(xᵢ − E[xᵢ]) in log-odds) and the same regression squared (not linear: the explainer must notice and
 * sample), with a background sample in each bundle.
 */
class ExplainersTest {

    static final float[] WEIGHTS = {0.04f, -0.5f, 1.2f};
    static final float BIAS = -3f;
    static final Map<String, Double> PATIENT = Map.of("hr", 118.0, "lactate", 3.5, "temp", 1.8);

    @TempDir
    static Path dir;

    static ModelRegistries.Standalone registry;
    static float[][] background;
    static Explainers explainers;

    @BeforeAll
    static void models() throws Exception {
        ModelBundles bundles = new ModelBundles(dir);
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("hr,lactate,temp\n");
        background = new float[200][];
        for (int i = 0; i < background.length; i++) {
            background[i] = new float[] {(float) (70 + random.nextDouble() * 50), (float) (0.5 + random.nextDouble() * 3),
                    (float) (random.nextDouble() * 2)};
            csv.append(background[i][0]).append(',').append(background[i][1]).append(',').append(background[i][2]).append('\n');
        }
        byte[] csvBytes = csv.toString().getBytes(StandardCharsets.US_ASCII);
        Path linear = bundle(bundles, "linear", "linear-shap", OnnxGraphs.logisticRegression(WEIGHTS, BIAS), csvBytes,
                sigmoid(WEIGHTS[0] * 100 + WEIGHTS[1] * 2 + WEIGHTS[2] * 1 + BIAS));
        double p = sigmoid(WEIGHTS[0] * 100 + WEIGHTS[1] * 2 + WEIGHTS[2] * 1 + BIAS);
        Path squared = bundle(bundles, "squared", "linear-shap", OnnxGraphs.squaredLogistic(WEIGHTS, BIAS), csvBytes, p * p,
                ", budgetCalls: 200");
        registry = ModelRegistries.open(bundles.trustStore(), ModelBundles.PASSWORD, List.of(linear, squared), 1, 1);
        explainers = new Explainers(registry);
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static Path bundle(ModelBundles bundles, String id, String method, byte[] onnx, byte[] background, double selfTest) throws Exception {
        return bundle(bundles, id, method, onnx, background, selfTest, "");
    }

    /** @param budget extra explanation settings of the card, e.g. {@code ", budgetCalls: 200"} */
    static Path bundle(ModelBundles bundles, String id, String method, byte[] onnx, byte[] background, double selfTest, String budget)
            throws Exception {
        String card = """
                id: %s
                version: "1.0.0"
                vendor: carebus-tests
                intendedUse: Explanation tests. Synthetic; not for clinical use.
                contraindications: [Any clinical use]
                files:
                  - {path: model.onnx, sha256: %s, role: model}
                  - {path: background.csv, sha256: %s, role: background}
                inputs:
                  tabular:
                    - {name: hr, code: "http://loinc.org|8867-4", unit: "/min"}
                    - {name: lactate, code: "http://loinc.org|2524-7", unit: "mmol/L"}
                    - {name: temp, code: "http://loinc.org|8310-5", unit: Cel}
                outputs:
                  - {label: risk, onnxOutput: probability, type: probability, fhirResource: RiskAssessment, code: "http://snomed.info/sct|91302008"}
                explanation: {method: %s, background: background.csv%s}
                trainingData: {summary: hand-set weights}
                performance: {overall: {auroc: 0.5}}
                changeControl: none
                selfTests:
                  - {inputs: {hr: 100, lactate: 2, temp: 1}, expected: {risk: %s}, tolerance: 0.00001}
                """.formatted(id, sha(onnx), sha(background), method, budget, selfTest);
        return bundles.signed(bundles.unsigned(id, ModelBundles.files("card.yaml", card, "model.onnx", onnx, "background.csv", background),
                "card.yaml"), "vendor");
    }

    static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static double[] exact() {
        float[] mean = Background.mean(background);
        double[] x = {118, 3.5, 1.8};
        double[] phi = new double[3];
        for (int i = 0; i < 3; i++) {
            phi[i] = WEIGHTS[i] * (x[i] - mean[i]);
        }
        return phi;
    }

    @Test
    void linearModelsGetExactValuesEqualToTheAnalyticOnes() throws Exception {
        Explanation e = explainers.explain("linear", null, "risk", PATIENT, 1);
        assertThat(e.method()).startsWith("linear-shap (exact");
        double[] phi = exact();
        for (int i = 0; i < 3; i++) {
            assertThat(e.contributions().get(i).contribution()).as(e.contributions().get(i).feature()).isCloseTo(phi[i], within(2e-3));
        }
        assertThat(e.additivityGap().getAsDouble()).isLessThan(1e-3);
        assertThat(e.outputValue()).isCloseTo(WEIGHTS[0] * 118 + WEIGHTS[1] * 3.5 + WEIGHTS[2] * 1.8 + BIAS, within(1e-3));
        assertThat(e.contributions().get(0).unit()).isEqualTo("/min");
    }

    @Test
    void samplingIsWithinItsToleranceOfExactAndDeterministicForASeed() {
        float[] x = {118f, 3.5f, 1.8f};
        try (var lease = registry.lease("linear", null)) {
            SamplingShapley.Result sampled = SamplingShapley.explain(lease, "risk", Link.LOGIT, x, background, 500, 42);
            SamplingShapley.Result again = SamplingShapley.explain(lease, "risk", Link.LOGIT, x, background, 500, 42);
            double[] phi = exact();
            for (int i = 0; i < 3; i++) {
                // 500 permutations over a 200-row background: stated tolerance 0.1 log-odds
                assertThat(sampled.contributions()[i]).isCloseTo(phi[i], within(0.1));
                assertThat(again.contributions()[i]).isEqualTo(sampled.contributions()[i]);
            }
            double sum = sampled.contributions()[0] + sampled.contributions()[1] + sampled.contributions()[2];
            assertThat(sum).isCloseTo(sampled.output() - sampled.base(), within(1e-9)); // efficiency
        }
    }

    @Test
    void aNonLinearModelIsNotTakenForLinearAndIsSampled() throws Exception {
        Explanation e = explainers.explain("squared", null, "risk", PATIENT, 3);
        // the card's budget (explanation.budgetCalls: 200), not the default 500
        assertThat(e.method()).startsWith("sampling-shapley (200 permutations");
        assertThat(e.additivityGap().getAsDouble()).isLessThan(1e-9);
        assertThat(explainers.explain("squared", null, "risk", PATIENT, 3).contributions())
                .isEqualTo(e.contributions()); // same seed, same values
    }

    /**
     * Exact Shapley values by brute force over all 2^n coalitions, for the value function sampling estimates:
     * v(S) = mean over background rows z of link(f(x on S, z elsewhere)), φᵢ = Σ |S|!(n−|S|−1)!/n! (v(S ∪ i) − v(S)).
     */
    static double[] bruteForceShapley(io.carebus.inference.ModelLease lease, String label, Link link, float[] x, float[][] rows) {
        int n = x.length;
        int coalitions = 1 << n;
        float[][] batch = new float[coalitions * rows.length][];
        for (int mask = 0; mask < coalitions; mask++) {
            for (int r = 0; r < rows.length; r++) {
                float[] row = rows[r].clone();
                for (int i = 0; i < n; i++) {
                    if ((mask & (1 << i)) != 0) {
                        row[i] = x[i];
                    }
                }
                batch[mask * rows.length + r] = row;
            }
        }
        double[] out = lease.run(batch, label);
        double[] v = new double[coalitions];
        for (int mask = 0; mask < coalitions; mask++) {
            double sum = 0;
            for (int r = 0; r < rows.length; r++) {
                sum += link.apply(out[mask * rows.length + r]);
            }
            v[mask] = sum / rows.length;
        }
        double[] factorial = new double[n + 1];
        factorial[0] = 1;
        for (int k = 1; k <= n; k++) {
            factorial[k] = factorial[k - 1] * k;
        }
        double[] phi = new double[n];
        for (int i = 0; i < n; i++) {
            for (int mask = 0; mask < coalitions; mask++) {
                if ((mask & (1 << i)) == 0) {
                    int size = Integer.bitCount(mask);
                    phi[i] += factorial[size] * factorial[n - size - 1] / factorial[n] * (v[mask | (1 << i)] - v[mask]);
                }
            }
        }
        return phi;
    }

    @Test
    void samplingOnANonLinearModelAgreesWithExactShapleyByBruteForce() throws Exception {
        float[] x = {118f, 3.5f, 1.8f};
        try (var lease = registry.lease("squared", null)) {
            double[] exact = bruteForceShapley(lease, "risk", Link.LOGIT, x, background);
            // Not linear: the exact values are not the linear shortcut βᵢ(xᵢ − E[xᵢ]) the linear explainer would give.
            double[] linear = exact();
            assertThat(java.util.stream.IntStream.range(0, 3).mapToDouble(i -> Math.abs(exact[i] - linear[i])).max().orElseThrow())
                    .isGreaterThan(0.1);
            SamplingShapley.Result sampled = SamplingShapley.explain(lease, "risk", Link.LOGIT, x, background, 4000, 42);
            for (int i = 0; i < 3; i++) {
                assertThat(sampled.contributions()[i]).as("feature %d: sampled %s, exact %s", i, sampled.contributions()[i], exact[i])
                        .isCloseTo(exact[i], within(0.1));
            }
        }
        // And what the engine serves for this model (its card's budget of 200 permutations) is near the exact values.
        Explanation e = explainers.explain("squared", null, "risk", PATIENT, 3);
        try (var lease = registry.lease("squared", null)) {
            double[] exact = bruteForceShapley(lease, "risk", Link.LOGIT, x, background);
            for (Explanation.FeatureContribution c : e.contributions()) {
                int i = List.of("hr", "lactate", "temp").indexOf(c.feature());
                assertThat(c.contribution()).as("%s: served %s, exact %s", c.feature(), c.contribution(), exact[i]).isCloseTo(exact[i], within(0.25));
            }
        }
    }
}
