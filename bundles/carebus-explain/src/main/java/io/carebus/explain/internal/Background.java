package io.carebus.explain.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The background sample a model bundle ships (role {@code background}): CSV with a header of feature names, one
 * row per reference patient, columns in any order; read into the model's feature order.
 */
final class Background {

    private Background() {
    }

    static float[][] read(byte[] csv, List<String> features) {
        List<String> lines = new String(csv, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            throw new IllegalArgumentException("the background sample has no rows");
        }
        List<String> header = List.of(lines.get(0).strip().split("\\s*,\\s*"));
        int[] column = new int[features.size()];
        for (int f = 0; f < column.length; f++) {
            column[f] = header.indexOf(features.get(f));
            if (column[f] < 0) {
                throw new IllegalArgumentException("the background sample has no column " + features.get(f));
            }
        }
        List<float[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.strip().split("\\s*,\\s*");
            float[] row = new float[column.length];
            for (int f = 0; f < column.length; f++) {
                row[f] = Float.parseFloat(cells[column[f]]);
            }
            rows.add(row);
        }
        return rows.toArray(new float[0][]);
    }

    static float[] mean(float[][] rows) {
        double[] sum = new double[rows[0].length];
        for (float[] row : rows) {
            for (int f = 0; f < row.length; f++) {
                sum[f] += row[f];
            }
        }
        float[] mean = new float[sum.length];
        for (int f = 0; f < sum.length; f++) {
            mean[f] = (float) (sum[f] / rows.length);
        }
        return mean;
    }
}
