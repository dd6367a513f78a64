package io.carebus.hl7.internal.fhir;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.util.Terser;

/**
 * Version-neutral reads of one parsed segment: field, repetition, component, subcomponent, as text ("" when absent).
 * The mapping reads positions, not version-specific getters, so one mapping serves HL7 2.1 to 2.8.
 */
final class V2Segment {

    private final Segment segment;

    V2Segment(Segment segment) {
        this.segment = segment;
    }

    String name() {
        return segment.getName();
    }

    /** Component 1, subcomponent 1 of the first repetition. */
    String get(int field) {
        return get(field, 0, 1, 1);
    }

    String get(int field, int component) {
        return get(field, 0, component, 1);
    }

    String get(int field, int rep, int component, int subcomponent) {
        try {
            if (field > segment.numFields() || rep >= segment.getField(field).length) {
                return "";
            }
            String value = Terser.get(segment, field, rep, component, subcomponent);
            return value == null ? "" : value.trim();
        } catch (HL7Exception | RuntimeException e) {
            return "";
        }
    }

    int repetitions(int field) {
        try {
            return field > segment.numFields() ? 0 : segment.getField(field).length;
        } catch (HL7Exception e) {
            return 0;
        }
    }

    /** The whole field repetition as sent (delimiters included), for text values and diagnostics. */
    String encoded(int field, int rep) {
        try {
            Type[] reps = segment.getField(field);
            return rep < reps.length ? reps[rep].encode() : "";
        } catch (HL7Exception | RuntimeException e) {
            return "";
        }
    }

    boolean isEmpty() {
        try {
            return segment.isEmpty();
        } catch (HL7Exception e) {
            return true;
        }
    }
}
