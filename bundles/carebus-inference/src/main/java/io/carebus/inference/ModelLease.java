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

    /** The ONNX output the card names as the last convolution's activations (Grad-CAM), if any. */
    default Optional<String> activationOutput() {
        return Optional.empty();
    }

    /** Runs the rows in one call and returns ONNX output {@code onnxOutput} (any output of the graph) per row. */
    OutputTensor runOutput(float[][] rows, String onnxOutput);

    /**
     * Runs the bundle's head graph (activations → scores, role {@code head}) on rows of activations as
     * {@link #runOutput} returns them, and returns output {@code label}'s element per row.
     *
     * @throws IllegalStateException when the card names no head graph
     */
    double[] runHead(float[][] activations, String label);

    /** One ONNX output of a batch: per row its values (row-major), and the shape (batch first). */
    record OutputTensor(float[][] rows, long[] shape) {
    }

    @Override
    void close();
}
