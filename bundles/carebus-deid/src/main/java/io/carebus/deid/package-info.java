/**
 * De-identification: {@link io.carebus.deid.PseudonymDomain} (one keyed pseudonym, date shift and replacement name
 * per patient, whatever the format) and the HL7v2 and FHIR de-identifiers built on it. The re-identification vault,
 * profiles and Camel steps are internal.
 */
package io.carebus.deid;
