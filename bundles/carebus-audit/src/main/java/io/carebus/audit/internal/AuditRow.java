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
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        field(out, "at", Long.toString(record.at().toEpochMilli()));
        field(out, "node", record.nodeId());
        field(out, "actor", record.actor());
        field(out, "remote", record.remoteAddress());
        field(out, "action", record.action().name());
        field(out, "outcome", record.outcome().name());
        field(out, "entities", String.join("\u001f", record.entities()));
        field(out, "route", record.routeId());
        field(out, "model", record.model() == null ? null : record.model().id());
        field(out, "modelVersion", record.model() == null ? null : record.model().version());
        field(out, "modelSha256", record.model() == null ? null : record.model().sha256().hex());
        field(out, "input", record.inputHash() == null ? null : record.inputHash().hex());
        field(out, "output", record.outputHash() == null ? null : record.outputHash().hex());
        field(out, "detail", record.detail());
        field(out, "key", keyId);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String name, String value) {
        String text = name + "=" + (value == null ? "\\0" : value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
