package io.carebus.explain.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Heatmap grids brought to the image: bilinear upsampling (grid values sit at their cell centres, as the convolution
 * grid does over the image), the peak, and the overlay PNG — the image as grey (min to max, which for a {@code unit}
 * tensor is the model's window) with the heatmap in a blue-green-yellow-red colour map whose opacity grows with the
 * value, so unimportant regions stay readable.
 */
final class Heatmaps {

    private Heatmaps() {
    }

    static double[] upsample(double[] grid, int rows, int columns, int width, int height) {
        double[] full = new double[width * height];
        for (int y = 0; y < height; y++) {
            double gy = Math.min(rows - 1, Math.max(0, (y + 0.5) * rows / height - 0.5));
            int y0 = (int) Math.floor(gy), y1 = Math.min(rows - 1, y0 + 1);
            double fy = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = Math.min(columns - 1, Math.max(0, (x + 0.5) * columns / width - 0.5));
                int x0 = (int) Math.floor(gx), x1 = Math.min(columns - 1, x0 + 1);
                double fx = gx - x0;
                double top = grid[y0 * columns + x0] * (1 - fx) + grid[y0 * columns + x1] * fx;
                double bottom = grid[y1 * columns + x0] * (1 - fx) + grid[y1 * columns + x1] * fx;
                full[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return full;
    }

    /** The pixel (x, y) of the largest value; among equal values, the centroid of them (no bias to the first one). */
    static double[] peak(double[] full, int width) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : full) {
            max = Math.max(max, v);
        }
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < full.length; i++) {
            if (full[i] >= max - Math.abs(max) * 1e-9) {
                sx += i % width;
                sy += i / width;
                n++;
            }
        }
        return new double[] {sx / n, sy / n};
    }

    static byte[] overlayPng(float[] image, int width, int height, double[] full) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : image) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double max = 0;
        for (double v : full) {
            max = Math.max(max, v);
        }
        // 256-level lookup tables: colour and opacity per heat level, so the per-pixel work is a blend.
        int[][] lut = new int[256][];
        for (int level = 0; level < 256; level++) {
            double h = level / 255.0;
            double[] colour = colour(h);
            int alpha = (int) Math.round(256 * 0.65 * Math.pow(h, 0.8));
            lut[level] = new int[] {alpha, (int) Math.round(255 * colour[0]), (int) Math.round(255 * colour[1]),
                    (int) Math.round(255 * colour[2])};
        }
        float scale = hi > lo ? 255f / (hi - lo) : 0;
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            int grey = (int) ((image[i] - lo) * scale + 0.5f);
            int[] c = lut[max > 0 ? (int) Math.round(255 * Math.max(0, full[i]) / max) : 0];
            int a = c[0], keep = 256 - a;
            rgb[i] = (((keep * grey + a * c[1]) >> 8) << 16) | (((keep * grey + a * c[2]) >> 8) << 8) | ((keep * grey + a * c[3]) >> 8);
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        try (ByteArrayOutputStream png = new ByteArrayOutputStream()) {
            if (!ImageIO.write(out, "png", png)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blue → cyan → green → yellow → red as h goes 0 → 1. */
    static double[] colour(double h) {
        double[][] stops = {{0, 0, 1}, {0, 1, 1}, {0, 1, 0}, {1, 1, 0}, {1, 0, 0}};
        double t = Math.min(1, Math.max(0, h)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) t);
        double f = t - i;
        return new double[] {stops[i][0] + f * (stops[i + 1][0] - stops[i][0]), stops[i][1] + f * (stops[i + 1][1] - stops[i][1]),
                stops[i][2] + f * (stops[i + 1][2] - stops[i][2])};
    }
}
