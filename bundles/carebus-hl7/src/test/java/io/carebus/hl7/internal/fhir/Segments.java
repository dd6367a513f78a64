package io.carebus.hl7.internal.fhir;

/** Test messages written field by field: a segment with the given values at their positions, so no count is off by one. */
public final class Segments {

    private Segments() {
    }

    /** {@code of("PV1", 2, "I", 19, "V1")} is {@code PV1||I|...|V1} with PV1-19 = V1 (1-based positions, the rest empty). */
    public static String of(String name, Object... positionsAndValues) {
        String[] fields = new String[80];
        java.util.Arrays.fill(fields, "");
        int last = 0;
        for (int i = 0; i < positionsAndValues.length; i += 2) {
            int at = (Integer) positionsAndValues[i];
            fields[at] = String.valueOf(positionsAndValues[i + 1]);
            last = Math.max(last, at);
        }
        fields[0] = name;
        return String.join("|", java.util.Arrays.copyOf(fields, last + 1));
    }
}
