package io.carebus.models.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A documented simulator of chest CT slices after lung windowing (values 0..1, 224×224, row-major), for the
 * chest-nodule-demo model, its tests and its benchmark. Every image has a lung field with slow variations and
 * noise, rib-like bright bands, small bright dots (vessels seen end-on) and, on some images, a large bright region
 * at the border (mediastinum). A "lesion" image adds one round nodule (radius 10–16 px, soft edge) at a random place
 * inside the lung field. Nothing here comes from a patient.
 */
public final class LesionImages {

    public static final int SIZE = 224;

    private LesionImages() {
    }

    /** One simulated image; {@code radius} is 0 when it has no lesion. */
    public record Image(float[] pixels, boolean lesion, int centreX, int centreY, int radius, boolean mediastinum) {

        /** Whether pixel (x, y) lies within the lesion. */
        public boolean inLesion(double x, double y) {
            return lesion && Math.hypot(x - centreX, y - centreY) <= radius;
        }
    }

    /** {@code n} images from {@code seed}, alternating lesion / no lesion. */
    public static List<Image> set(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Image> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(generate(random, i % 2 == 0));
        }
        return images;
    }

    public static Image generate(SplittableRandom random, boolean lesion) {
        float[] p = new float[SIZE * SIZE];
        double base = 0.18 + random.nextDouble() * 0.08;
        double ax = random.nextDouble() * 0.06, ay = random.nextDouble() * 0.06;
        double fx = 1 + random.nextDouble() * 2, fy = 1 + random.nextDouble() * 2;
        double phx = random.nextDouble() * Math.PI * 2, phy = random.nextDouble() * Math.PI * 2;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                p[y * SIZE + x] = (float) (base + ax * Math.sin(fx * x * Math.PI / SIZE + phx) + ay * Math.sin(fy * y * Math.PI / SIZE + phy));
            }
        }
        // Ribs: gently curved horizontal bands, 5-8 px thick.
        int ribs = 2 + random.nextInt(4);
        for (int r = 0; r < ribs; r++) {
            double y0 = 15 + random.nextDouble() * (SIZE - 30);
            double curve = (random.nextDouble() - 0.5) * 30;
            double thickness = 2.5 + random.nextDouble() * 1.5;
            double brightness = 0.15 + random.nextDouble() * 0.1;
            for (int x = 0; x < SIZE; x++) {
                double u = (x - SIZE / 2.0) / (SIZE / 2.0);
                double centre = y0 + curve * u * u;
                for (int y = Math.max(0, (int) (centre - 3 * thickness)); y < Math.min(SIZE, centre + 3 * thickness); y++) {
                    double d = (y - centre) / thickness;
                    p[y * SIZE + x] += (float) (brightness * Math.exp(-d * d));
                }
            }
        }
        // Vessels end-on: small bright dots.
        int dots = 5 + random.nextInt(10);
        for (int d = 0; d < dots; d++) {
            addDisc(p, 10 + random.nextDouble() * (SIZE - 20), 10 + random.nextDouble() * (SIZE - 20),
                    1.5 + random.nextDouble() * 1.5, 0.15 + random.nextDouble() * 0.15);
        }
        boolean mediastinum = random.nextDouble() < 0.3;
        if (mediastinum) {
            boolean left = random.nextBoolean();
            addDisc(p, left ? -20 : SIZE + 20, SIZE / 2.0 + (random.nextDouble() - 0.5) * 60, 55 + random.nextDouble() * 15, 0.45);
        }
        int cx = 0, cy = 0, radius = 0;
        if (lesion) {
            radius = 10 + random.nextInt(7);
            cx = 30 + random.nextInt(SIZE - 60);
            cy = 30 + random.nextInt(SIZE - 60);
            addDisc(p, cx, cy, radius, 0.22 + random.nextDouble() * 0.12);
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.min(1, Math.max(0, p[i] + random.nextDouble(-1, 1) * 0.05 + gaussianish(random) * 0.02));
        }
        return new Image(p, lesion, cx, cy, radius, mediastinum);
    }

    /** A disc with a soft (1.5 px) edge added to the image. */
    private static void addDisc(float[] p, double cx, double cy, double radius, double brightness) {
        int x0 = (int) Math.max(0, cx - radius - 3), x1 = (int) Math.min(SIZE - 1, cx + radius + 3);
        int y0 = (int) Math.max(0, cy - radius - 3), y1 = (int) Math.min(SIZE - 1, cy + radius + 3);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double d = Math.hypot(x - cx, y - cy) - radius;
                double weight = d <= -1.5 ? 1 : d >= 1.5 ? 0 : 0.5 - d / 3;
                p[y * SIZE + x] += (float) (brightness * weight);
            }
        }
    }

    private static double gaussianish(SplittableRandom random) {
        return random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5;
    }
}
