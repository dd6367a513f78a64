package io.carebus.api.store;

import java.util.Objects;

/**
 * A problem found in a message that was accepted all the same (lenient intake): where it is, what is wrong, and how
 * long the offending value is. Never the value itself: it may be PHI.
 *
 * @param location    where in the message, e.g. {@code TQ1-4}, {@code OBX(2)-5.1} (segment, occurrence when not the
 *                    first, field, component), or {@code MSH-9} for the message as a whole
 * @param problem     what is wrong, in words that name no value
 * @param valueLength the length of the offending value in characters, or null when no single value is at fault
 */
public record MessageWarning(String location, String problem, Integer valueLength) {

    public MessageWarning {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(problem, "problem");
    }

    /** {@code TQ1-4: not a valid time (TM) (8 characters)}. */
    @Override
    public String toString() {
        return location + ": " + problem + (valueLength == null ? "" : " (" + valueLength + " characters)");
    }
}
