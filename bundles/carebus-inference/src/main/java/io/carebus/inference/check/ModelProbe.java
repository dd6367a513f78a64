package io.carebus.inference.check;

import ai.onnxruntime.OrtException;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.internal.CardProbe;
import java.util.List;
import java.util.Map;

/**
 * A model card's ONNX graph opened exactly as the engine opens it (the same session checks, feature order, defaults
 * and output reading), while the card is still being written: for computing and re-running self-test vectors.
 */
public interface ModelProbe extends AutoCloseable {

    /**
     * Opens the model the card names from {@code files} (bundle path → bytes).
     *
     * @throws ModelCheckException listing every problem of the card (self-tests aside) or of the model against it
     */
    static ModelProbe open(byte[] cardYaml, Map<String, byte[]> files) throws ModelCheckException {
        return CardProbe.open(cardYaml, files);
    }

    /** The tabular features in card order (empty for an imaging model). */
    List<String> features();

    boolean isImage();

    /** The card's outputs by label for one row of features; a missing feature takes the card's default. */
    Map<String, Double> run(Map<String, Double> features) throws InsufficientDataException, OrtException;

    /** An imaging model's outputs for a preprocessed image filled with {@code value} (the form of image self-tests). */
    Map<String, Double> runConstantImage(double value) throws OrtException;

    /** The card's self-tests and head-graph check as the extender runs them; empty when they pass. */
    List<Problem> selfTestProblems();

    @Override
    void close();
}
