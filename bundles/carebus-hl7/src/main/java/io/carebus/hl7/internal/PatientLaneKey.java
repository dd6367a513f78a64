package io.carebus.hl7.internal;

import io.carebus.store.dispatch.LaneKey;
import java.nio.charset.StandardCharsets;

/**
 * Which patient a stored HL7v2 message is about, read straight from its bytes (one pass, no HAPI parse): the first
 * PID-3 repetition's ID and assigning authority. The dispatcher runs the messages of one patient on one lane, in
 * arrival order, and different patients side by side; this key is all it needs for that, so it is read before any of
 * the expensive work. A message with an MRG segment (A34/A40/A47 merges and moves) touches two patients, which the
 * dispatcher handles alone, between the others.
 *
 * @param patient the key, or null when the message has no PID or an empty PID-3 (master files, queries): such
 *                messages keep the order they arrived in, on the first lane
 * @param merge   the message has an MRG segment
 */
record PatientLaneKey(String patient, boolean merge) implements LaneKey {

    static final PatientLaneKey NONE = new PatientLaneKey(null, false);

    static PatientLaneKey of(byte[] payload) {
        int start = MshHeader.start(payload);
        if (payload.length - start < 8 || payload[start] != 'M' || payload[start + 1] != 'S' || payload[start + 2] != 'H') {
            return NONE;
        }
        byte field = payload[start + 3];
        byte component = payload[start + 4];
        byte repetition = payload[start + 5];
        String patient = null;
        boolean merge = false;
        int segment = start;
        while (segment < payload.length) {
            int end = segment;
            while (end < payload.length && payload[end] != '\r' && payload[end] != '\n') {
                end++;
            }
            if (end - segment >= 4 && payload[segment + 3] == field) {
                if (patient == null && startsWith(payload, segment, "PID")) {
                    patient = pid3(payload, segment + 4, end, field, component, repetition);
                } else if (startsWith(payload, segment, "MRG")) {
                    merge = true;
                }
            }
            segment = end + 1;
        }
        return patient == null && !merge ? NONE : new PatientLaneKey(patient, merge);
    }

    /** Which of {@code lanes} lanes runs this message: a patient's always the same one; no patient, the first. */
    @Override
    public int lane(int lanes) {
        return patient == null ? 0 : Math.floorMod(patient.hashCode(), lanes);
    }

    /** A merge or move runs alone, between the other patients' messages. */
    @Override
    public boolean alone() {
        return merge;
    }

    private static boolean startsWith(byte[] payload, int at, String id) {
        return payload[at] == id.charAt(0) && payload[at + 1] == id.charAt(1) && payload[at + 2] == id.charAt(2);
    }

    /** PID-3's first repetition: component 1 (ID) and 4 (assigning authority), or null when empty. */
    private static String pid3(byte[] payload, int from, int end, byte field, byte component, byte repetition) {
        int fieldNumber = 1;
        int i = from;
        while (i < end && fieldNumber < 3) {
            if (payload[i++] == field) {
                fieldNumber++;
            }
        }
        if (fieldNumber < 3) {
            return null;
        }
        int stop = i;
        while (stop < end && payload[stop] != field && payload[stop] != repetition) {
            stop++;
        }
        int componentNumber = 1;
        int idEnd = -1;
        int authorityStart = -1;
        int authorityEnd = stop;
        for (int j = i; j < stop; j++) {
            if (payload[j] == component) {
                componentNumber++;
                if (componentNumber == 2) {
                    idEnd = j;
                } else if (componentNumber == 4) {
                    authorityStart = j + 1;
                } else if (componentNumber == 5) {
                    authorityEnd = j;
                    break;
                }
            }
        }
        String id = new String(payload, i, (idEnd < 0 ? stop : idEnd) - i, StandardCharsets.ISO_8859_1).strip();
        if (id.isEmpty()) {
            return null;
        }
        String authority = authorityStart < 0 ? "" : new String(payload, authorityStart, authorityEnd - authorityStart, StandardCharsets.ISO_8859_1);
        return authority + "|" + id;
    }
}
