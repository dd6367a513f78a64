package io.carebus.bench.explain;

import io.carebus.api.explain.Explanation;
import io.carebus.explain.internal.ImageExplainers;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.DemoModels;
import io.carebus.models.tools.LesionImages;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How often the heatmap's peak lies within the nodule, on N simulated slices with one nodule each (seed as in
 * ImageExplainersTest), for Grad-CAM and for occlusion (32 px window, stride 16) — occlusion on all N here, where the
 * unit test checks only 40 to keep the suite short. Usage: {@code LocalisationCheck [N]}.
 */
public final class LocalisationCheck {

    private LocalisationCheck() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        try (ModelRegistries.Standalone registry = ModelRegistries.open(DemoModels.trustStore(), DemoModels.TRUST_PASSWORD,
                List.of(DemoModels.chestNoduleJar()), 1, 1)) {
            ImageExplainers explainers = new ImageExplainers(registry);
            SplittableRandom random = new SplittableRandom(20261128);
            int cam = 0, occlusion = 0;
            for (int i = 0; i < n; i++) {
                LesionImages.Image image = LesionImages.generate(random, true);
                cam += hit(explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "grad-cam"), image) ? 1 : 0;
                occlusion += hit(explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "occlusion"), image) ? 1 : 0;
            }
            System.out.printf("RESULT localisation on %d simulated slices: Grad-CAM peak within the nodule %d (%.1f%%), occlusion %d (%.1f%%); "
                    + "target >= 95%%%n", n, cam, 100.0 * cam / n, occlusion, 100.0 * occlusion / n);
        }
    }

    private static boolean hit(Explanation e, LesionImages.Image image) {
        double[] peak = ImageExplainers.peak(e, LesionImages.SIZE, LesionImages.SIZE);
        return image.inLesion(peak[0], peak[1]);
    }
}
