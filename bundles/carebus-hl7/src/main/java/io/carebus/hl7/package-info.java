/**
 * HL7v2 intake: MLLP listeners that store every message durably before they acknowledge it. {@link
 * io.carebus.hl7.Hl7Headers} names the Camel headers the intake sets for routes that process stored messages.
 */
package io.carebus.hl7;
