package io.carebus.api.store;

import java.util.Collection;
import java.util.List;

/**
 * The outcome of processing one message: its new status and history note, and the canonical (FHIR R4 JSON) form it
 * was mapped to with the patient identifiers that form names ({@code system|value}); the canonical form may be null.
 *
 * @param mappingWarnings what mapping the message to its canonical form left out (a bad timestamp, a segment that
 *        failed), stored as the message's warnings beside intake's ({@link MessageStore#warnings}); they replace those
 *        of an earlier mapping of the same message and are only written with a canonical form
 */
public record Completion(long messageId, MessageStatus status, String note, byte[] canonicalJson,
                         Collection<String> patientIdentifiers, List<MessageWarning> mappingWarnings) {

    public Completion {
        patientIdentifiers = patientIdentifiers == null ? List.of() : List.copyOf(patientIdentifiers);
        mappingWarnings = mappingWarnings == null ? List.of() : List.copyOf(mappingWarnings);
    }

    /** An outcome whose mapping (if any) found nothing to warn about. */
    public Completion(long messageId, MessageStatus status, String note, byte[] canonicalJson,
                      Collection<String> patientIdentifiers) {
        this(messageId, status, note, canonicalJson, patientIdentifiers, List.of());
    }
}
