package io.carebus.inference.check;

import java.util.List;

/** A card or model a tool cannot work with yet, with every problem found. */
public final class ModelCheckException extends Exception {

    private final List<Problem> problems;

    public ModelCheckException(List<Problem> problems) {
        super(String.join("; ", problems.stream().map(Problem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
