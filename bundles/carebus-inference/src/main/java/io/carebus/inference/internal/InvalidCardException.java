package io.carebus.inference.internal;

import io.carebus.inference.check.Problem;
import java.util.List;

/** A model card that cannot be served, with every problem found (each with its card line where known). */
final class InvalidCardException extends Exception {

    private final List<Problem> problems;

    InvalidCardException(List<Problem> problems) {
        super("invalid model card: " + String.join("; ", problems.stream().map(Problem::reason).toList()));
        this.problems = List.copyOf(problems);
    }

    List<Problem> problems() {
        return problems;
    }
}
