package io.carebus.context;

/** The exchange headers {@code carebus:context} reads and sets. */
public final class ContextHeaders {

    /** In: the subject key when set (the pseudonym {@code carebus:deid} sets), else taken from the message's Patient. */
    public static final String SUBJECT = "CareBusSubject";
    /** In: the HL7 intake's FHIR form of the message (a Bundle as JSON); else the body is read as FHIR JSON. */
    public static final String FHIR_BUNDLE = "CareBusFhirBundle";
    /**
     * Out: {@link java.time.Instant}, the latest effective time among the message's observations (shifted with the
     * patient's dates after {@code carebus:deid}); absent when the message carries no observation.
     */
    public static final String AS_OF = "CareBusAsOf";
    /** Out: {@code Set<String>} of {@code system|code} whose observations this message added, changed or removed. */
    public static final String CODES = "CareBusContextCodes";
    /**
     * Out: a FHIR R4 Bundle (JSON, type collection): the subject's Patient (birth date and gender only, when known)
     * and its stored observations effective within [as-of − lookback, as-of]; absent when there is no as-of.
     */
    public static final String TIMELINE = "CareBusPatientTimeline";

    /**
     * Out, with option {@code model}: {@code Boolean}, whether this message should (re)score the patient with that
     * model: it added, changed or removed an observation whose code the model's card uses (or, with
     * {@code scoreOnDemographics=true}, it changed the patient's demographics). A message processed a second time
     * changes nothing, so it never scores twice.
     */
    public static final String SCORE_TRIGGERED = "CareBusScoreTriggered";

    private ContextHeaders() {
    }
}
