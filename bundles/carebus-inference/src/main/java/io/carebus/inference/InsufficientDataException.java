package io.carebus.inference;

import java.util.List;

/** The input lacks features the card gives no default for: the engine says so instead of guessing. */
public final class InsufficientDataException extends Exception {

    private final List<String> missing;

    public InsufficientDataException(String model, List<String> missing) {
        super("insufficient data for " + model + ": no value and no default for " + missing);
        this.missing = List.copyOf(missing);
    }

    public List<String> missing() {
        return missing;
    }
}
