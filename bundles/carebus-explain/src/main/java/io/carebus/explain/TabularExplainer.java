package io.carebus.explain;

import io.carebus.api.explain.Explanation;
import io.carebus.inference.InsufficientDataException;
import java.util.Map;

/**
 * Explains a tabular model's output for one input: exact linear SHAP when the model is linear in its link
 * (checked on the model itself, not assumed), permutation-sampling Shapley values against the bundle's background
 * sample otherwise. Deterministic for a given seed.
 */
public interface TabularExplainer {

    /** Explains output {@code label} of the version a request would get (or exactly {@code version}). */
    Explanation explain(String modelId, String version, String label, Map<String, Double> features, long seed)
            throws InsufficientDataException;

    /** As above; {@code method} {@code sampling} skips the exact path even for linear models ({@code auto}: choose). */
    Explanation explain(String modelId, String version, String label, Map<String, Double> features, long seed, String method)
            throws InsufficientDataException;
}
