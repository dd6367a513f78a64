package io.carebus.inference.internal;

import java.util.List;

/** A model card that cannot be served, with every problem found. */
final class InvalidCardException extends Exception {

    private final List<String> problems;

    InvalidCardException(List<String> problems) {
        super("invalid model card: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
