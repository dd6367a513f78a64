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

    /** A replacement name for the patient (family, given): the same in every message and format. */
    String[] replacementName(PatientIdentifier patient);

    /** Any other identifier (visit, account, order, accession number): a keyed replacement, the same for the same input. */
    String identifier(String system, String value);

    /** A replacement for a DICOM or other OID-style UID under the 2.25 root: the same for the same input, so a study stays one. */
    String uid(String original);
}
