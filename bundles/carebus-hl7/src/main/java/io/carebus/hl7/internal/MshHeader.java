package io.carebus.hl7.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The fields of an MSH segment read straight from the bytes, before (and independently of) HAPI: what is needed to
 * store, de-duplicate and acknowledge a message even when the rest of it cannot be parsed. MSH is ASCII by the
 * standard, so it is read as ISO-8859-1 whatever MSH-18 says.
 *
 * @param fields MSH fields by HL7 number: {@code fields[1]} is the field separator, {@code fields[2]} the encoding
 *               characters, {@code fields[9]} the message type, and so on; absent fields are empty strings
 */
record MshHeader(String[] fields, String segmentText) {

    /**
     * Where the message starts: after the UTF-8 byte order mark some Windows senders write and the blank lines others
     * put before the MSH. Neither is HL7, but neither changes a byte of the message.
     */
    static int start(byte[] frame) {
        int start = hasUtf8Bom(frame) ? 3 : 0;
        while (start < frame.length && Character.isWhitespace(frame[start])) {
            start++;
        }
        return start;
    }

    static boolean hasUtf8Bom(byte[] frame) {
        return frame.length >= 3 && (frame[0] & 0xff) == 0xef && (frame[1] & 0xff) == 0xbb && (frame[2] & 0xff) == 0xbf;
    }

    /** The decoded frame from its MSH on, without what {@link #start} skips (HAPI takes nothing before the MSH). */
    static String fromMsh(String text) {
        int msh = text.indexOf("MSH");
        return msh > 0 ? text.substring(msh) : text;
    }

    /** An HL7 batch (file or batch header first) rather than one message. */
    static boolean isBatch(byte[] frame) {
        int start = start(frame);
        return frame.length - start >= 4 && (frame[start] == 'F' || frame[start] == 'B') && frame[start + 1] == 'H'
                && frame[start + 2] == 'S' && !Character.isLetterOrDigit(frame[start + 3]);
    }

    static Optional<MshHeader> read(byte[] frame) {
        int start = start(frame);
        if (frame.length - start < 8 || frame[start] != 'M' || frame[start + 1] != 'S' || frame[start + 2] != 'H') {
            return Optional.empty();
        }
        int end = start;
        while (end < frame.length && frame[end] != '\r' && frame[end] != '\n') {
            end++;
        }
        String msh = new String(frame, start, end - start, StandardCharsets.ISO_8859_1);
        char separator = msh.charAt(3);
        if (Character.isLetterOrDigit(separator) || Character.isWhitespace(separator)) {
            return Optional.empty();
        }
        String[] parts = msh.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        // parts[0] = "MSH", parts[1] = MSH-2 (encoding characters); MSH-1 is the separator itself.
        String[] fields = new String[Math.max(parts.length + 1, 22)];
        java.util.Arrays.fill(fields, "");
        fields[1] = String.valueOf(separator);
        for (int i = 1; i < parts.length; i++) {
            fields[i + 1] = parts[i];
        }
        return Optional.of(new MshHeader(fields, msh));
    }

    String field(int number) {
        return number < fields.length ? fields[number] : "";
    }

    String encodingCharacters() {
        return field(2);
    }

    /** First component of a field (e.g. MSH-12 {@code 2.5^...} gives {@code 2.5}). */
    String component1(int number) {
        String f = field(number);
        String enc = encodingCharacters();
        if (enc.isEmpty()) {
            return f;
        }
        int cut = f.indexOf(enc.charAt(0));
        return cut < 0 ? f : f.substring(0, cut);
    }

    String controlId() {
        return field(10);
    }

    String versionId() {
        return component1(12);
    }

    /** MSH-9 with components joined by '^' (whatever the component separator is), e.g. {@code ORU^R01^ORU_R01}. */
    String messageType() {
        String enc = encodingCharacters();
        return enc.isEmpty() ? field(9) : field(9).replace(enc.charAt(0), '^');
    }

    /** MSH-3^MSH-4 (sending application and facility, first components): who a duplicate is a duplicate from. */
    String sender() {
        return component1(3) + "^" + component1(4);
    }

    /**
     * Whether MSH-15 (accept acknowledgment type, table 0155) asks for an accept ACK with this code: in enhanced mode
     * NE never, ER only for CE/CR, SU only for CA; AL, empty or unknown always. Original mode always answers.
     */
    boolean wantsAcceptAck(String ackCode) {
        if (!enhancedMode()) {
            return true;
        }
        String type = field(15).strip().toUpperCase(java.util.Locale.ROOT);
        return switch (type) {
            case "NE" -> false;
            case "ER" -> "CE".equals(ackCode) || "CR".equals(ackCode);
            case "SU" -> "CA".equals(ackCode);
            default -> true;
        };
    }

    /** Enhanced acknowledgement mode is requested when MSH-15 or MSH-16 is valued. */
    boolean enhancedMode() {
        return !field(15).isEmpty() || !field(16).isEmpty();
    }
}
