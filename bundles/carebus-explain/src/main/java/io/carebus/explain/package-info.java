/**
 * Explanations of tabular predictions ({@link io.carebus.explain.TabularExplainer}), as the
 * {@link io.carebus.api.explain.Explanation} contract: per-feature contributions in the model's link space
 * (log-odds for probabilities), base value, output, cost and the additivity gap as fidelity figure.
 */
package io.carebus.explain;
