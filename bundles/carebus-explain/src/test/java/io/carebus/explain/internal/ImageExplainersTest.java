package io.carebus.explain.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carebus.api.explain.Explanation;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.ChestNoduleModelBuilder;
import io.carebus.models.tools.DemoModels;
import io.carebus.models.tools.LesionImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Localisation on the signed chest-nodule-demo bundle: on simulated slices with one nodule at a known place, the
 * heatmap's peak must lie within the nodule — Grad-CAM on 200 images, occlusion (≈170 model runs each) on the first
 * 40 of them to keep the suite short; bench/explain runs occlusion on all 200. Each must hold for ≥ 95%.
 */
class ImageExplainersTest {

    static final int S = LesionImages.SIZE;
    static ModelRegistries.Standalone registry;
    static ImageExplainers explainers;
    static List<LesionImages.Image> images;

    @BeforeAll
    static void serve() throws Exception {
        registry = ModelRegistries.open(DemoModels.trustStore(), DemoModels.TRUST_PASSWORD, List.of(DemoModels.chestNoduleJar()), 1, 1);
        explainers = new ImageExplainers(registry);
        SplittableRandom random = new SplittableRandom(20261128);
        images = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            images.add(LesionImages.generate(random, true));
        }
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static boolean peakInLesion(Explanation explanation, LesionImages.Image image) {
        double[] peak = ImageExplainers.peak(explanation, S, S);
        return image.inLesion(peak[0], peak[1]);
    }

    @Test
    void gradCamPeaksWithinTheNoduleOnAtLeast95PercentOf200Images() {
        int hits = 0;
        for (LesionImages.Image image : images) {
            Explanation e = explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "auto");
            assertThat(e.method()).startsWith("grad-cam");
            hits += peakInLesion(e, image) ? 1 : 0;
        }
        System.out.printf("Grad-CAM peak within the nodule: %d of %d%n", hits, images.size());
        assertThat(hits).isGreaterThanOrEqualTo(190);
    }

    @Test
    void occlusionPeaksWithinTheNoduleOnAtLeast95Percent() {
        List<LesionImages.Image> some = images.subList(0, 40);
        int hits = 0;
        for (LesionImages.Image image : some) {
            hits += peakInLesion(explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "occlusion"), image) ? 1 : 0;
        }
        System.out.printf("Occlusion peak within the nodule: %d of %d%n", hits, some.size());
        assertThat(hits).isGreaterThanOrEqualTo(38);
    }

    @Test
    void gradCamChannelWeightsMatchTheHeadsAnalyticGradient() throws Exception {
        // The head is GlobalMaxPool → dense → logit: raising a whole channel by ε raises its max by ε, so the channel
        // weight (mean gradient) is exactly the dense weight / (H·W). The dense weights are read back from the graph.
        LesionImages.Image image = images.get(0);
        try (ModelLease lease = registry.lease("chest-nodule-demo", null)) {
            GradCam.Result cam = GradCam.explain(lease, "nodule_probability", image.pixels());
            float[] w = headWeights(lease.file("head").orElseThrow());
            int plane = ChestNoduleModelBuilder.GRID * ChestNoduleModelBuilder.GRID;
            assertThat(cam.channelWeights()).hasSize(2);
            for (int c = 0; c < 2; c++) {
                assertThat(cam.channelWeights()[c] * plane).isCloseTo(w[c], within(Math.abs(w[c]) * 0.015));
            }
        }
    }

    @Test
    void theExplanationCarriesTheOverlayTheOutputAndItsCost() throws Exception {
        LesionImages.Image image = images.get(1);
        Explanation e = explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "grad-cam");
        double p = registry.inferImage("chest-nodule-demo", null, "s", image.pixels()).prediction().outputs().get("nodule_probability");
        assertThat(1 / (1 + Math.exp(-e.outputValue()))).isCloseTo(p, within(1e-6));
        assertThat(e.baseValue()).isLessThan(e.outputValue());
        assertThat(e.modelCalls()).isEqualTo(2);
        assertThat(e.heatmap().rows()).isEqualTo(ChestNoduleModelBuilder.GRID);
        assertThat(e.additivityGap()).isEmpty();
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(e.heatmap().overlayPng()));
        assertThat(png.getWidth()).isEqualTo(S);
        assertThat(png.getHeight()).isEqualTo(S);
        // The nodule's centre is coloured (red dominates), a far corner is plain grey.
        int centre = png.getRGB(image.centreX(), image.centreY());
        assertThat((centre >> 16) & 0xff).isGreaterThan(centre & 0xff);
        int cx = image.centreX() < S / 2 ? S - 3 : 2, cy = image.centreY() < S / 2 ? S - 3 : 2;
        int corner = png.getRGB(cx, cy);
        assertThat(Math.abs(((corner >> 16) & 0xff) - (corner & 0xff))).isLessThanOrEqualTo(40);
        // Same input, same explanation.
        Explanation again = explainers.explain("chest-nodule-demo", null, "nodule_probability", image.pixels(), "grad-cam");
        assertThat(again.heatmap().values()).containsExactly(e.heatmap().values());
    }

    /** The head graph's Gemm weights, read with the ONNX protobuf classes. */
    private static float[] headWeights(byte[] head) throws Exception {
        ai.onnx.proto.OnnxMl.ModelProto model = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(head);
        ai.onnx.proto.OnnxMl.TensorProto wh = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("Wh")).findFirst().orElseThrow();
        float[] w = new float[wh.getFloatDataCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = wh.getFloatData(i);
        }
        return w;
    }
}
