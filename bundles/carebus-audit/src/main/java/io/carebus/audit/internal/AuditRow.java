package io.carebus.audit.internal;

import io.carebus.api.audit.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A record as stored: its sequence number, the record, the key id and its chain hash. The canonical form, which the
 * chain hash covers, is every field of the record and the key id, each as {@code name=value} on its own line with
 * backslash, newline and carriage return escaped. The sequence number is deliberately not part of it: the chain
 * itself fixes each record's place, which lets verification tell a moved record from a forged one.
 */
record AuditRow(long seq, AuditRecord record, String keyId, String chainHash) {

    byte[] canonical() {
        return canonical(Long.toString(record.at().toEpochMilli()), record.nodeId(), record.actor(), record.remoteAddress(),
                record.action().name(), record.outcome().name(), String.join("\u001f", record.entities()), record.routeId(),
                record.model() == null ? null : record.model().id(), record.model() == null ? null : record.model().version(),
                record.model() == null ? null : record.model().sha256().hex(),
                record.inputHash() == null ? null : record.inputHash().hex(),
                record.outputHash() == null ? null : record.outputHash().hex(), record.detail(), keyId);
    }

    private static final String[] NAMES = {"at", "node", "actor", "remote", "action", "outcome", "entities", "route", "model",
        "modelVersion", "modelSha256", "input", "output", "detail", "key"};

    /** The canonical bytes from the field values as text, in {@link #NAMES} order (also used straight from SQL rows). */
    static byte[] canonical(String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        for (int i = 0; i < NAMES.length; i++) {
            String value = values[i];
            String text = NAMES[i] + "=" + (value == null ? "\\0"
                    : value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
