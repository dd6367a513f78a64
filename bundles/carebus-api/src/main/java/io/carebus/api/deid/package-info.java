/** Keyed pseudonymisation shared by the HL7v2, FHIR and DICOM de-identifiers. */
package io.carebus.api.deid;
