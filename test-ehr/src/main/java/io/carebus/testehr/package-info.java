/**
 * The test EHR: HAPI FHIR's JPA server behind a SMART Backend Services token endpoint, run as its own process by
 * {@link io.carebus.testehr.TestEhrProcess}. Test infrastructure only; never part of the appliance.
 */
package io.carebus.testehr;
