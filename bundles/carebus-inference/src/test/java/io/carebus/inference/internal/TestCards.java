package io.carebus.inference.internal;

import io.carebus.models.tools.RiskDemoCard;

/** Model cards for the test models: a three-feature logistic regression ({@link RiskDemoCard}, shared with the vendor kit). */
final class TestCards {

    static final float[] WEIGHTS = RiskDemoCard.WEIGHTS;
    static final float BIAS = RiskDemoCard.BIAS;

    private TestCards() {
    }

    static double expected(float[] weights, float bias, double hr, double lactate, double temp) {
        return RiskDemoCard.expected(weights, bias, hr, lactate, temp);
    }

    static String card(String version, String sha256, double expected) {
        return RiskDemoCard.card(version, sha256, expected);
    }

    static double selfTestExpected() {
        return RiskDemoCard.selfTestExpected();
    }
}
