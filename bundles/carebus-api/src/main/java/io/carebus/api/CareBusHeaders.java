package io.carebus.api;

/**
 * Names of the Camel exchange headers (and the one exchange property) CareBus steps set and read, in one place, so a
 * route author and every bundle spell them the same way. The values are the names routes see.
 */
public final class CareBusHeaders {

    /**
     * An exchange property, not a header: set (true) when a route filtered the message out, so the dispatcher records
     * it FILTERED instead of PROCESSED.
     */
    public static final String FILTERED = "CareBusFiltered";
    /** The stored message's id (a number) in the message store. */
    public static final String MESSAGE_ID = "CareBusMessageId";
    /** The (pseudonymous) subject a step works on. */
    public static final String SUBJECT = "CareBusSubject";
    /** The model's prediction ({@link io.carebus.api.model.Prediction}). */
    public static final String PREDICTION = "CareBusPrediction";
    /** The FHIR Bundle being built or delivered. */
    public static final String FHIR_BUNDLE = "CareBusFhirBundle";

    private CareBusHeaders() {
    }
}
