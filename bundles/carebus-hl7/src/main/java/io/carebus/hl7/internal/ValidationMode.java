package io.carebus.hl7.internal;

import java.util.Locale;

/**
 * A listener's {@code validation}: what a message that parses structurally but breaks HL7's data type rules gets.
 * Structural problems (no MSH, bad separators or segment ids, NUL bytes, bytes invalid in the charset, a version or
 * type the listener does not accept) are refused in both modes.
 */
enum ValidationMode {
    /** AA, and each problem stored as a warning on the message (the default: real senders send sloppy messages). */
    LENIENT,
    /** AE 102, as HAPI's default validation (less its US-only phone rule and withdrawn fields) decides. */
    STRICT;

    /**
     * {@code validation} as configured, with the deprecated {@code validate.datatypes} as an alias: strict when either
     * asks for it ({@code validation = strict}, or {@code validate.datatypes = true}).
     */
    static ValidationMode of(String validation, String validateDatatypes) {
        String v = validation == null ? "" : validation.strip().toLowerCase(Locale.ROOT);
        if (!v.isEmpty() && !v.equals("lenient") && !v.equals("strict")) {
            throw new IllegalArgumentException("validation must be lenient or strict, was '" + validation + "'");
        }
        boolean legacyStrict = validateDatatypes != null && Boolean.parseBoolean(validateDatatypes.strip());
        return v.equals("strict") || legacyStrict ? STRICT : LENIENT;
    }
}
