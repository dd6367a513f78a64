package io.carebus.context.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one message says about one subject, reduced to what the timeline keeps. {@code replaces}: the subject keys of
 * patients this one replaces (a merge, ADT^A40: the Patient's {@code link} of type {@code replaces}), whose timelines
 * move to {@code subject}; never {@code subject} itself.
 */
record ClinicalMessage(String subject, Optional<Demographics> patient, List<ObservationFact> observations,
                       List<ConditionFact> conditions, List<EncounterFact> encounters, Set<String> replaces) {

    ClinicalMessage(String subject, Optional<Demographics> patient, List<ObservationFact> observations,
                    List<ConditionFact> conditions, List<EncounterFact> encounters) {
        this(subject, patient, observations, conditions, encounters, Set.of());
    }

    record Demographics(String birthDate, String gender) {
    }

    /** One coded value of an observation: from its code (every coding) or from one of its components. */
    record CodedValue(String code, Double value, String unit) {
    }

    /** {@code key} is the observation's identity as {@code system|value}, stable across redelivery. */
    record ObservationFact(String key, String status, Instant effective, List<CodedValue> values) {

        boolean removes() {
            return status.equals("entered-in-error") || status.equals("cancelled");
        }

        boolean corrects() {
            return status.equals("amended") || status.equals("corrected");
        }
    }

    record ConditionFact(String key, String code, String clinicalStatus, String verificationStatus, Instant onset) {
    }

    record EncounterFact(String key, String classCode, String status, Instant start, Instant end) {
    }

    /** The event's own time: the latest effective time among the message's observations. */
    Optional<Instant> asOf() {
        return observations.stream().map(ObservationFact::effective).max(Instant::compareTo);
    }
}
