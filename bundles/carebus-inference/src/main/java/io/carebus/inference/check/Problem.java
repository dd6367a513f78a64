package io.carebus.inference.check;

/**
 * One reason a model bundle is refused, as the appliance states it. {@code field} is the card field it is about as a
 * JSON pointer ({@code /inputs/tabular/2/unit}), or null when the problem is the jar's, not the card's; {@code line}
 * is the 1-based line of that field (or of its nearest written parent) in the card, 0 when unknown.
 */
public record Problem(String reason, String field, int line) {

    public static Problem of(String reason) {
        return new Problem(reason, null, 0);
    }

    public static Problem at(String field, String reason) {
        return new Problem(reason, field, 0);
    }

    public Problem withLine(int cardLine) {
        return new Problem(reason, field, cardLine);
    }

    @Override
    public String toString() {
        return line > 0 ? "card line " + line + ": " + reason : reason;
    }
}
