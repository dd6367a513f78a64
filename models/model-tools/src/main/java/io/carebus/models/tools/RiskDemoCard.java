package io.carebus.models.tools;

/**
 * The test models of the model-bundle checks: a three-feature logistic regression with hand-set weights and its
 * complete card, shared by carebus-inference's tests and the vendor kit's so both check the same bundles.
 */
public final class RiskDemoCard {

    public static final float[] WEIGHTS = {0.04f, -0.5f, 1.2f};
    public static final float BIAS = -3f;

    private RiskDemoCard() {
    }

    /** The model's output for heart rate, lactate and temperature (the test graph takes them as they are). */
    public static double expected(float[] weights, float bias, double hr, double lactate, double temp) {
        double z = weights[0] * hr + weights[1] * lactate + weights[2] * temp + bias;
        return 1 / (1 + Math.exp(-z));
    }

    /** The expected output of the card's self-test (100, 2.0, 1.5) with the default weights. */
    public static double selfTestExpected() {
        return expected(WEIGHTS, BIAS, 100, 2.0, 1.5);
    }

    /** A complete card for version {@code version} whose model file has {@code sha256}, self-test expecting {@code expected}. */
    public static String card(String version, String sha256, double expected) {
        return """
                id: risk-demo
                version: "%s"
                vendor: carebus-tests
                name: Risk demo
                intendedUse: Tests of the model bundle checks. Synthetic; not for clinical use.
                contraindications: [Any clinical use]
                files:
                  - path: model.onnx
                    sha256: %s
                    role: model
                inputs:
                  onnxInput: features
                  tabular:
                    - {name: heart_rate, code: "http://loinc.org|8867-4", unit: "/min", window: PT6H, aggregate: max}
                    - {name: lactate, code: "http://loinc.org|2524-7", unit: "mmol/L", window: PT24H, aggregate: last, default: 1.0}
                    - {name: temperature, code: "http://loinc.org|8310-5", unit: Cel, window: PT6H, aggregate: max}
                outputs:
                  - {label: risk, onnxOutput: probability, index: 0, type: probability, threshold: 0.5,
                     fhirResource: RiskAssessment, code: "http://snomed.info/sct|91302008"}
                explanation: {method: linear-shap}
                trainingData: {summary: none - hand-set weights, source: tests}
                performance: {overall: {auroc: 0.5}, evaluation: none}
                changeControl: Weights may change; inputs and outputs may not.
                selfTests:
                  - inputs: {heart_rate: 100, lactate: 2.0, temperature: 1.5}
                    expected: {risk: %s}
                    tolerance: 0.00001
                """.formatted(version, sha256, expected);
    }
}
