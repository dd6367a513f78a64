package io.carebus.console.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.api.store.HistoryEntry;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.StoredMessage;
import io.carebus.api.security.Role;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The message browser: {@code GET /api/messages} (filters, paging newest first) and {@code GET /api/messages/{id}}
 * (metadata and history for every CareBus role; the raw message, its segments and its FHIR form, which are PHI, only
 * for engineers and admins). {@code patient} filters by a patient identifier ({@code system|value} or the value);
 * {@code warnings=true} lists only messages accepted with warnings (lenient HL7v2 intake). A message's warnings say
 * where and what, never a value, so every role sees them.
 */
final class MessagesResource {

    record Answer(int status, Object body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private MessagesResource() {
    }

    static Answer list(MessageStore store, Function<String, String> param) {
        MessageQuery query;
        try {
            String status = param.apply("status");
            String before = param.apply("before");
            String limit = param.apply("limit");
            query = new MessageQuery(param.apply("controlId"), status == null ? null : MessageStatus.valueOf(status),
                    param.apply("type"), param.apply("sender"), instant(param.apply("since")), instant(param.apply("until")),
                    param.apply("patient"), before == null ? null : Long.valueOf(before), limit == null ? 50 : Integer.parseInt(limit),
                    flag("warnings", param.apply("warnings")));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return new Answer(400, Map.of("error", "bad query: " + e.getMessage()
                    + " (status: RECEIVED|PROCESSED|FILTERED|ERROR; since/until: ISO-8601 instants; before, limit 1..1000: numbers;"
                    + " warnings: true|false)"));
        }
        List<MessageSummary> page = store.search(query);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messages", page.stream().map(MessagesResource::summary).toList());
        body.put("next", page.size() == query.limit() ? page.get(page.size() - 1).id() : null);
        return new Answer(200, body);
    }

    static Answer one(MessageStore store, String idText, Set<Role> roles) {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            return new Answer(400, Map.of("error", "message id must be a number"));
        }
        StoredMessage m = store.find(id).orElse(null);
        if (m == null) {
            return new Answer(404, Map.of("error", "no message " + id));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("listener", m.message().listener());
        body.put("remoteAddress", m.message().remoteAddress());
        body.put("protocol", m.message().protocol());
        body.put("messageType", m.message().messageType());
        body.put("versionId", m.message().versionId());
        body.put("controlId", m.message().controlId());
        body.put("sender", m.message().sender());
        body.put("receivedAt", m.message().receivedAt().toString());
        body.put("status", m.status().name());
        body.put("error", m.error());
        body.put("duplicateOf", m.duplicateOf());
        body.put("history", store.history(id).stream().map(MessagesResource::history).toList());
        body.put("warnings", store.warnings(id).stream().map(MessagesResource::warning).toList());
        if (roles.contains(Role.ENGINEER) || roles.contains(Role.ADMIN)) {
            byte[] raw = m.message().payload();
            // ISO-8859-1 maps every byte to one character, so the text is exact whatever MSH-18 says.
            body.put("raw", new String(raw, StandardCharsets.ISO_8859_1));
            body.put("rawBase64", Base64.getEncoder().encodeToString(raw));
            if ("HL7v2".equals(m.message().protocol())) {
                body.put("parsed", Hl7Segments.split(body.get("raw").toString()));
            }
            body.put("fhir", store.canonical(id).map(MessagesResource::jsonTree).orElse(null));
        }
        return new Answer(200, body);
    }

    private static Map<String, Object> summary(MessageSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("listener", s.listener());
        m.put("messageType", s.messageType());
        m.put("controlId", s.controlId());
        m.put("sender", s.sender());
        m.put("receivedAt", s.receivedAt().toString());
        m.put("status", s.status().name());
        m.put("error", s.error());
        m.put("duplicateOf", s.duplicateOf());
        m.put("bytes", s.payloadSize());
        m.put("warnings", s.warnings());
        return m;
    }

    private static Map<String, Object> warning(io.carebus.api.store.MessageWarning w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("location", w.location());
        m.put("problem", w.problem());
        m.put("valueLength", w.valueLength());
        return m;
    }

    private static boolean flag(String name, String value) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new IllegalArgumentException(name + " must be true or false");
    }

    private static Map<String, Object> history(HistoryEntry h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", h.at().toString());
        m.put("status", h.status().name());
        m.put("note", h.note());
        return m;
    }

    private static Object jsonTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return Map.of("error", "the stored canonical form is not JSON: " + e.getMessage());
        }
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
