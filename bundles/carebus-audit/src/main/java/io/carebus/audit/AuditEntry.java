package io.carebus.audit;

import io.carebus.api.audit.AuditRecord;

/** A stored audit record with its place in the chain: sequence number, key id and chain hash (hex). */
public record AuditEntry(long seq, AuditRecord record, String keyId, String chainHash) {
}
