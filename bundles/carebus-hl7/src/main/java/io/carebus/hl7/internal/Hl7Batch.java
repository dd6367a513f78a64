package io.carebus.hl7.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The HL7 batch protocol (v2.5 section 2.10.3) in one MLLP frame: {@code [FHS] BHS {MSH...} BTS [FTS]}. Each message of
 * the batch goes through the intake on its own (stored, audited, answered, processed like a message in its own
 * frame); the answer is a batch of their ACKs, one per message in the order received, under a BHS whose BHS-12
 * names the received batch (BHS-11), and an FHS/FTS pair when the batch came in a file envelope.
 */
final class Hl7Batch {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSZ");

    private final byte[] frame;
    private final List<String> envelope = new ArrayList<>();
    private final List<byte[]> messages = new ArrayList<>();

    private final int maxMessages;
    private int messageCount;

    private Hl7Batch(byte[] frame, int maxMessages) {
        this.frame = frame;
        this.maxMessages = maxMessages;
        split();
    }

    /** The batch in a frame that starts with FHS or BHS; empty otherwise. */
    static java.util.Optional<Hl7Batch> of(byte[] frame) {
        return of(frame, Integer.MAX_VALUE);
    }

    /**
     * The batch in a frame that starts with FHS or BHS, its messages taken apart only when there are at most
     * {@code maxMessages} ({@link #overCap()} otherwise); empty when the frame is no batch.
     */
    static java.util.Optional<Hl7Batch> of(byte[] frame, int maxMessages) {
        return MshHeader.isBatch(frame) ? java.util.Optional.of(new Hl7Batch(frame, maxMessages)) : java.util.Optional.empty();
    }

    /**
     * The messages, each the bytes from its MSH to the next MSH or batch segment, as received (behind the frame's
     * UTF-8 byte order mark, when it has one). Empty when the batch is {@link #overCap()}.
     */
    List<byte[]> messages() {
        return overCap() ? List.of() : messages;
    }

    /** How many messages (MSH segments) the batch holds. */
    int messageCount() {
        return messageCount;
    }

    /** More messages than the cap it was read with: none of them were copied out. */
    boolean overCap() {
        return messageCount > maxMessages;
    }

    private void split() {
        int start = MshHeader.start(frame);
        int messageStart = -1;
        int i = start;
        while (i < frame.length) {
            int end = i;
            while (end < frame.length && frame[end] != '\r' && frame[end] != '\n') {
                end++;
            }
            String id = end - i >= 3 ? new String(frame, i, 3, StandardCharsets.ISO_8859_1) : "";
            boolean header = id.equals("FHS") || id.equals("BHS") || id.equals("BTS") || id.equals("FTS");
            if ((id.equals("MSH") || header) && messageStart >= 0) {
                keep(messageStart, i);
                messageStart = -1;
            }
            if (id.equals("MSH")) {
                messageStart = i;
                messageCount++;
            } else if (header) {
                envelope.add(new String(frame, i, end - i, StandardCharsets.ISO_8859_1));
            }
            i = end;
            while (i < frame.length && (frame[i] == '\r' || frame[i] == '\n')) {
                i++;
            }
        }
        if (messageStart >= 0) {
            keep(messageStart, frame.length);
        }
        if (overCap()) {
            messages.clear();
        } else if (MshHeader.hasUtf8Bom(frame)) {
            // the frame's byte order mark says UTF-8 for every message in it (where MSH-18 is empty)
            messages.replaceAll(m -> {
                byte[] marked = new byte[m.length + 3];
                System.arraycopy(frame, 0, marked, 0, 3);
                System.arraycopy(m, 0, marked, 3, m.length);
                return marked;
            });
        }
    }

    /** Copies a message out only while the batch is within its cap: an oversized batch costs no copies. */
    private void keep(int from, int to) {
        if (messageCount <= maxMessages) {
            messages.add(java.util.Arrays.copyOfRange(frame, from, to));
        }
    }

    /**
     * The batch acknowledgement: {@code [FHS] BHS ACK... BTS [FTS]}, each ACK as the intake answered it (in its
     * message's character set; the envelope is ASCII).
     */
    byte[] acknowledgement(List<byte[]> acks, Clock clock, Supplier<String> controlIds) {
        return acknowledgement(acks, clock, controlIds, null);
    }

    /** The same, with a batch comment (BTS-2), e.g. why the whole batch was refused; cleaned of delimiters. */
    byte[] acknowledgement(List<byte[]> acks, Clock clock, Supplier<String> controlIds, String comment) {
        String now = TS.format(clock.instant().atOffset(ZoneOffset.UTC));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String fhs = segment("FHS");
        if (fhs != null) {
            out.writeBytes(header("FHS", fhs, now, controlIds.get()).getBytes(StandardCharsets.US_ASCII));
        }
        String bhs = segment("BHS");
        out.writeBytes(header("BHS", bhs == null ? "BHS|^~\\&" : bhs, now, controlIds.get()).getBytes(StandardCharsets.US_ASCII));
        for (byte[] ack : acks) {
            out.writeBytes(ack);
            if (ack.length > 0 && ack[ack.length - 1] != '\r') {
                out.write('\r');
            }
        }
        out.writeBytes(("BTS|" + acks.size() + (comment == null ? "" : "|" + AckBuilder.clean(comment, 180)) + "\r")
                .getBytes(StandardCharsets.US_ASCII));
        if (fhs != null) {
            out.writeBytes("FTS|1\r".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private String segment(String id) {
        return envelope.stream().filter(s -> s.startsWith(id)).findFirst().orElse(null);
    }

    /**
     * Our header for the received one: sender and receiver swapped, our time and control id, and the received control
     * id as the reference (FHS/BHS-12). Values are cleaned of delimiters, so a sender's own delimiters cannot leak in.
     */
    private static String header(String id, String received, String now, String controlId) {
        char separator = received.length() > 3 ? received.charAt(3) : '|';
        String[] parts = received.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        // parts[0] = id, parts[1] = encoding characters = field 2, so field n is parts[n - 1]
        java.util.function.IntFunction<String> field = n -> n - 1 < parts.length ? firstComponent(parts[n - 1], received) : "";
        return String.join("|", id, "^~\\&", field.apply(5), field.apply(6), field.apply(3), field.apply(4), now, "",
                field.apply(9), "", controlId, field.apply(11)) + "\r";
    }

    private static String firstComponent(String value, String segment) {
        char component = segment.length() > 4 ? segment.charAt(4) : '^';
        int at = value.indexOf(component);
        return AckBuilder.clean(at >= 0 ? value.substring(0, at) : value, 180);
    }
}
