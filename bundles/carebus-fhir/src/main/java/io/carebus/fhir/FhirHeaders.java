package io.carebus.fhir;

/** Camel headers set on messages from the FHIR intake (route {@code direct:carebus-fhir-inbound}). */
public final class FhirHeaders {

    /** The stored message's id (a long), as for HL7v2. */
    public static final String MESSAGE_ID = "CareBusMessageId";
    /** What was posted as a Bundle (a single resource is wrapped in a collection Bundle), FHIR JSON. */
    public static final String FHIR_BUNDLE = "CareBusFhirBundle";
    /** The posted resource type ({@code Bundle}, {@code Observation}, ...). */
    public static final String RESOURCE_TYPE = "CareBusFhirResourceType";
    /** SHA-256 (hex) of the posted bytes: what result identifiers of relayed resources derive from. */
    public static final String PAYLOAD_SHA256 = "CareBusPayloadSha256";

    private FhirHeaders() {
    }
}
