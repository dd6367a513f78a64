package io.carebus.api.store;

import java.util.Collection;
import java.util.List;

/**
 * The outcome of processing one message: its new status and history note, and the canonical (FHIR R4 JSON) form it
 * was mapped to with the patient identifiers that form names ({@code system|value}); the canonical form may be null.
 */
public record Completion(long messageId, MessageStatus status, String note, byte[] canonicalJson,
                         Collection<String> patientIdentifiers) {

    public Completion {
        patientIdentifiers = patientIdentifiers == null ? List.of() : List.copyOf(patientIdentifiers);
    }
}
