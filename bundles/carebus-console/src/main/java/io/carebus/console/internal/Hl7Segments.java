package io.carebus.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The browser's "parsed" view of an HL7v2 message: segments and their numbered fields, split with the message's own
 * delimiters (MSH-1, MSH-2). Deliberately not HAPI: the view must show exactly what arrived, also for messages HAPI
 * refused.
 */
final class Hl7Segments {

    private Hl7Segments() {
    }

    static List<Map<String, Object>> split(String raw) {
        List<Map<String, Object>> segments = new ArrayList<>();
        char fieldSeparator = raw.startsWith("MSH") && raw.length() > 3 ? raw.charAt(3) : '|';
        for (String segment : raw.split("[\r\n]+")) {
            if (segment.isBlank()) {
                continue;
            }
            String[] fields = segment.split(java.util.regex.Pattern.quote(String.valueOf(fieldSeparator)), -1);
            Map<String, Object> view = new LinkedHashMap<>();
            String id = fields[0];
            view.put("segment", id);
            Map<String, String> numbered = new LinkedHashMap<>();
            // In MSH the separator itself is MSH-1, so MSH-2 is the first text after it.
            int offset = "MSH".equals(id) ? 1 : 0;
            if (offset == 1) {
                numbered.put("1", String.valueOf(fieldSeparator));
            }
            for (int i = 1; i < fields.length; i++) {
                if (!fields[i].isEmpty()) {
                    numbered.put(String.valueOf(i + offset), fields[i]);
                }
            }
            view.put("fields", numbered);
            segments.add(view);
        }
        return segments;
    }
}
