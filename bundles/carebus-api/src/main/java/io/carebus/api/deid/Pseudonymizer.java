package io.carebus.api.deid;

import java.time.LocalDate;

/**
 * Deterministic, keyed pseudonyms: the same patient identifier gives the same pseudonym, date shift and replacement
 * name in HL7v2, FHIR and DICOM alike, and nobody without the key can go back.
 */
public interface Pseudonymizer {

    /** The pseudonymous patient id (stable for a key id). */
    String pseudonym(PatientIdentifier patient);

    /** The per-patient day offset; intervals between one patient's events are preserved. */
    int dateShiftDays(PatientIdentifier patient);

    default LocalDate shift(PatientIdentifier patient, LocalDate date) {
        return date.plusDays(dateShiftDays(patient));
    }

    /** The id of the key in use, recorded with every pseudonym so that keys can be rotated. */
    String keyId();
}
