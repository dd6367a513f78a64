/** Explanations that travel with every prediction: per-feature contributions or an image heatmap. */
package io.carebus.api.explain;
