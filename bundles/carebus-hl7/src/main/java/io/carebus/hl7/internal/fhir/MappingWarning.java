package io.carebus.hl7.internal.fhir;

/**
 * A field the mapping left out because its value did not fit (a timestamp that is no DTM, a number that is none, a
 * segment that failed as a whole). Names the place and the problem and the value's length, never the value: it may be
 * PHI, and warnings are shown to operators and stored beside the message.
 *
 * @param field   where, e.g. {@code PV1-44} or {@code DG1} for a whole segment
 * @param problem what was wrong, e.g. "not a valid DTM"
 * @param length  the length of the value as sent (0 when not applicable)
 */
public record MappingWarning(String field, String problem, int length) {

    @Override
    public String toString() {
        return field + ": " + problem + (length > 0 ? " (" + length + " chars)" : "");
    }
}
