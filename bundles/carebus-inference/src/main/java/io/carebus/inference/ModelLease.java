package io.carebus.inference;

import io.carebus.api.model.ModelCard;
import io.carebus.api.model.ModelId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model version held for a piece of work that needs many runs of it (an explanation): its session stays open
 * until {@link #close}, even if the version is swapped out meanwhile, so every run of the piece sees the same model.
 */
public interface ModelLease extends AutoCloseable {

    ModelId id();

    ModelCard card();

    /** The tabular features in input order (empty for imaging models). */
    List<String> features();

    /**
     * The card's explanation budget ({@code explanation.budgetCalls}): how many model evaluations (for sampling
     * Shapley: permutations) one explanation may spend; empty when the card sets none.
     */
    default java.util.OptionalInt explanationBudget() {
        return java.util.OptionalInt.empty();
    }

    /** A file of the model bundle by its card role ({@code background}, {@code head}, ...). */
    Optional<byte[]> file(String role);

    /** The input row the engine would build from these values (card defaults applied). */
    float[] row(Map<String, Double> features) throws InsufficientDataException;

    /** Runs the rows in one call and returns output {@code label} per row, exactly as ONNX Runtime computed it. */
    double[] run(float[][] rows, String label);

    @Override
    void close();
}
