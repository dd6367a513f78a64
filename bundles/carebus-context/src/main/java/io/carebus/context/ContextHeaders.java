package io.carebus.context;

/** The exchange headers {@code carebus:context} reads and sets. */
public final class ContextHeaders {

    /** In: the subject key when set (the pseudonym {@code carebus:deid} sets), else taken from the message's Patient. */
    public static final String SUBJECT = "CareBusSubject";
    /** In: the HL7 intake's FHIR form of the message (a Bundle as JSON); else the body is read as FHIR JSON. */
    public static final String FHIR_BUNDLE = "CareBusFhirBundle";
    /** In, set by {@code carebus:deid}: the message's patient's date shift in days (absent: times are real). */
    public static final String DATE_SHIFT_DAYS = "CareBusDateShiftDays";
    /**
     * In, set by {@code carebus:deid} when the message names other patients (the one a merge retires):
     * {@code Map<String, Integer>}, each one's pseudonym to its own date shift in days.
     */
    public static final String LINKED_DATE_SHIFTS = "CareBusLinkedDateShiftDays";
    /**
     * Out: {@link java.time.Instant}, the latest effective time among the message's observations (shifted with the
     * patient's dates after {@code carebus:deid}); absent when the message carries no observation, except for a merge
     * that moved observations (and with {@code scoreOnDemographics=true}, an ADT): then the subject's latest.
     */
    public static final String AS_OF = "CareBusAsOf";
    /**
     * Out: {@code Set<String>} of {@code system|code} whose observations this message added, changed or removed; for
     * a merge (ADT^A40) also those of the observations it moved from the retired patient to the survivor.
     */
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
