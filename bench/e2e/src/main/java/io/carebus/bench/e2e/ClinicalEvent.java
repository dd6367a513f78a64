package io.carebus.bench.e2e;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One message's worth of a patient's stream: the admission, or the vital signs / lab results observed at one time.
 *
 * @param patient index of the patient in the feed
 * @param step the stream step (5 simulated minutes each by default); -1 for the admission
 * @param time when it was observed (OBX-14, Observation.effectiveDateTime); for the admission, the admit time
 * @param values the observed values, in {@link Feature} order; empty for the admission
 */
public record ClinicalEvent(Kind kind, int patient, int step, Instant time, Map<Feature, BigDecimal> values) {

    public enum Kind { ADMIT, VITALS, LABS }

    /** Whether the event carries an observation the model uses, so the engine should (re)score the patient. */
    public boolean triggersScore() {
        return kind != Kind.ADMIT && !values.isEmpty();
    }
}
