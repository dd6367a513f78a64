package io.carebus.explain.internal;

/**
 * The space contributions are measured in: log-odds for probability outputs (where logistic models are additive),
 * the output itself otherwise. Probabilities are clamped first: a saturated 0 or 1 would give an infinite logit.
 */
enum Link {
    LOGIT, IDENTITY;

    static final double EPSILON = 1e-7;

    static Link forOutputType(String type) {
        return "probability".equals(type) ? LOGIT : IDENTITY;
    }

    double apply(double value) {
        if (this == IDENTITY) {
            return value;
        }
        double p = Math.min(1 - EPSILON, Math.max(EPSILON, value));
        return Math.log(p / (1 - p));
    }
}
