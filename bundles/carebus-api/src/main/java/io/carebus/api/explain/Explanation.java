package io.carebus.api.explain;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Why a model gave its output. For tabular models {@code contributions} holds one entry per feature and
 * {@link #additivityGap()} says how far the contributions are from adding up to {@code output - baseValue}
 * (the fidelity figure for SHAP-style methods). For image models {@code heatmap} is set instead.
 */
public record Explanation(
        String method,
        double baseValue,
        double outputValue,
        List<FeatureContribution> contributions,
        Heatmap heatmap,
        long modelCalls,
        double millis) {

    public Explanation {
        Objects.requireNonNull(method, "method");
        contributions = List.copyOf(contributions);
        if (contributions.isEmpty() == (heatmap == null)) {
            throw new IllegalArgumentException("an explanation has either feature contributions or a heatmap");
        }
        if (modelCalls < 0 || millis < 0) {
            throw new IllegalArgumentException("cost cannot be negative");
        }
    }

    /** |sum of contributions - (output - base)|, or empty for a heatmap. */
    public OptionalDouble additivityGap() {
        if (contributions.isEmpty()) {
            return OptionalDouble.empty();
        }
        double sum = contributions.stream().mapToDouble(FeatureContribution::contribution).sum();
        return OptionalDouble.of(Math.abs(sum - (outputValue - baseValue)));
    }

    public record FeatureContribution(String feature, double inputValue, String unit, double contribution) {
        public FeatureContribution {
            Objects.requireNonNull(feature, "feature");
        }
    }

    /** A coarse grid of importance values, row-major, and the rendered overlay PNG. */
    public record Heatmap(int rows, int columns, double[] values, byte[] overlayPng) {
        public Heatmap {
            if (rows <= 0 || columns <= 0 || values.length != rows * columns) {
                throw new IllegalArgumentException("heatmap grid " + rows + "x" + columns + " does not match " + values.length + " values");
            }
            values = values.clone();
            overlayPng = overlayPng == null ? null : overlayPng.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        @Override
        public byte[] overlayPng() {
            return overlayPng == null ? null : overlayPng.clone();
        }
    }
}
