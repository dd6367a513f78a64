package io.carebus.api.deid;

/**
 * De-identification of a whole payload in its own format, exactly as a route's {@code carebus:deid} step does it
 * (same keys, same pseudonyms): what the console's try-it endpoint offers interface engineers tuning a profile.
 */
public interface Deidentification {

    /** The payload formats this engine de-identifies ({@code application/hl7-v2}, {@code application/fhir+json}, ...). */
    java.util.Set<String> mediaTypes();

    /**
     * @param mediaType one of {@link #mediaTypes()}
     * @param profile the HL7v2 profile name (FHIR ignores it)
     * @param actor who asked (audited)
     * @throws IllegalArgumentException when the payload cannot be read in that format
     */
    byte[] deidentify(String mediaType, byte[] payload, String profile, String actor);
}
