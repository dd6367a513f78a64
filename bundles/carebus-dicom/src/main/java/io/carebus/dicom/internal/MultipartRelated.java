package io.carebus.dicom.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multipart/related body (RFC 2387, as STOW-RS sends it, PS3.18 §8.6) split into its parts: headers (names in
 * lower case) and content. Works on the body in memory: the servlet caps its size first.
 */
final class MultipartRelated {

    record Part(Map<String, String> headers, byte[] content) {
        String contentType() {
            return headers.getOrDefault("content-type", "application/octet-stream");
        }
    }

    /** The body is not a well-formed multipart/related body. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private static final Pattern PARAMETER = Pattern.compile(";\\s*([A-Za-z0-9_-]+)\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)");

    private MultipartRelated() {
    }

    /** Parameters of a Content-Type value ({@code boundary}, {@code type}), names in lower case. */
    static Map<String, String> parameters(String contentType) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Matcher m = PARAMETER.matcher(contentType);
        while (m.find()) {
            parameters.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return parameters;
    }

    static List<Part> parse(byte[] body, String boundary) throws MalformedException {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new MalformedException("no boundary " + boundary + " in the body");
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            at += delimiter.length;
            if (at + 2 <= body.length && body[at] == '-' && body[at + 1] == '-') {
                return parts;
            }
            at = skipLineEnd(body, skipSpaces(body, at));
            int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, at);
            int separator = 4;
            if (headersEnd < 0) {
                headersEnd = indexOf(body, new byte[] {'\n', '\n'}, at);
                separator = 2;
            }
            if (headersEnd < 0) {
                throw new MalformedException("a part without the blank line after its headers");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : new String(body, at, headersEnd - at, StandardCharsets.ISO_8859_1).split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
                }
            }
            int contentStart = headersEnd + separator;
            int next = indexOf(body, delimiter, contentStart);
            if (next < 0) {
                throw new MalformedException("the last part is not closed by --" + boundary + "--");
            }
            int contentEnd = next;
            if (contentEnd >= contentStart + 2 && body[contentEnd - 2] == '\r' && body[contentEnd - 1] == '\n') {
                contentEnd -= 2;
            } else if (contentEnd >= contentStart + 1 && body[contentEnd - 1] == '\n') {
                contentEnd -= 1;
            }
            parts.add(new Part(headers, java.util.Arrays.copyOfRange(body, contentStart, contentEnd)));
            at = next;
        }
    }

    private static int skipSpaces(byte[] body, int at) {
        while (at < body.length && (body[at] == ' ' || body[at] == '\t')) {
            at++;
        }
        return at;
    }

    private static int skipLineEnd(byte[] body, int at) {
        if (at < body.length && body[at] == '\r') {
            at++;
        }
        if (at < body.length && body[at] == '\n') {
            at++;
        }
        return at;
    }

    /** The first {@code pattern} at or after {@code from} that starts a line (or the body), or -1. */
    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            if (pattern[0] != '-' || i == 0 || data[i - 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
