/**
 * The durable outbox of results on their way to the hospital's EHRs: what the console and shell show and retry.
 * Writing to it and sending from it belong to the FHIR bundle.
 */
package io.carebus.api.outbox;
