package io.carebus.inference.internal;

import io.carebus.inference.check.Problem;
import java.util.List;

/**
 * Why a model bundle may not serve; the message is shown to operators as the refusal reason: every problem found,
 * joined with "; " (the vendor kit's {@code validate} lists the same problems one per line, with card lines).
 */
final class ModelRefusedException extends Exception {

    private final List<Problem> problems;

    ModelRefusedException(String reason) {
        this(List.of(Problem.of(reason)));
    }

    /** A refusal about one card field (a JSON pointer such as {@code /outputs/0/onnxOutput}). */
    ModelRefusedException(String field, String reason) {
        this(List.of(Problem.at(field, reason)));
    }

    ModelRefusedException(List<Problem> problems) {
        super(String.join("; ", problems.stream().map(Problem::reason).toList()));
        this.problems = List.copyOf(problems);
    }

    List<Problem> problems() {
        return problems;
    }
}
