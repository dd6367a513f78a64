package io.carebus.hl7;

/** Camel header names set on HL7v2 messages handed to routes. */
public final class Hl7Headers {

    /** The id of the message in the message store (a {@code Long}). */
    public static final String MESSAGE_ID = "CareBusMessageId";
    /** MSH-9 as received, e.g. {@code ADT^A01^ADT_A01}. */
    public static final String MESSAGE_TYPE = "CareBusHl7MessageType";
    /** MSH-10. */
    public static final String CONTROL_ID = "CareBusHl7ControlId";
    /**
     * The message's canonical form: a FHIR R4 transaction Bundle as JSON text (ADT and ORU^R01; absent for message
     * types without a mapping). The body stays the raw HL7v2 message.
     */
    public static final String FHIR_BUNDLE = "CareBusFhirBundle";

    private Hl7Headers() {
    }
}
