/**
 * FHIR R4 in and out. {@link io.carebus.fhir.ResultResources} builds the engine's result resources (RiskAssessment,
 * Observation, Condition, DiagnosticReport) with their model {@code Device} and {@code Provenance}, stamped with the
 * engine identifier EHRs de-duplicate by; {@link io.carebus.fhir.FhirHeaders} names the Camel headers of the FHIR
 * intake. Intake, validation, the outbox and the EHR senders are internal.
 */
package io.carebus.fhir;
