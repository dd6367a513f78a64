package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.model.Prediction;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.ImageTensors;
import io.carebus.dicom.testing.TestImages;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.internal.InferStep;
import io.carebus.models.tools.ChestNoduleModelBuilder;
import io.carebus.models.tools.DemoModels;
import io.carebus.models.tools.LesionImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CT instance written as a scanner would (16-bit signed, Rescale Intercept −1024, 448×448) goes through
 * {@code carebus:infer?model=chest-nodule-demo} as a DICOM exchange: the signed example bundle serves, the image
 * becomes its tensor by the card (lung window −600/1500, resized to 224²), and the nodule is found.
 */
class DicomImageInferenceTest {

    @TempDir
    static Path dir;
    static ModelRegistries.Standalone registry;
    static DefaultCamelContext camel;
    static InferStep infer;

    @BeforeAll
    static void serve() throws Exception {
        registry = ModelRegistries.open(DemoModels.trustStore(), DemoModels.TRUST_PASSWORD, List.of(DemoModels.chestNoduleJar()), 1, 1);
        camel = new DefaultCamelContext();
        infer = new InferStep(registry, new DicomImageConverter());
    }

    @AfterAll
    static void close() throws Exception {
        registry.close();
        camel.close();
    }

    /** The simulated slice as CT: unit value v under window −600/1500 is HU 1500·v − 1350, doubled in size. */
    static Path ct(LesionImages.Image image, String name) throws Exception {
        int size = LesionImages.SIZE * 2;
        return TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), size, (x, y) -> {
            double hu = 1500 * image.pixels()[(y / 2) * LesionImages.SIZE + x / 2] - 1350;
            return (int) Math.round(hu + 1024);
        }).withRescale(1, -1024, true), dir.resolve(name));
    }

    private Exchange dicomExchange(Path file) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody("{\"resourceType\":\"ImagingStudy\"}");
        exchange.getMessage().setHeader(DicomHeaders.FILE, file);
        exchange.getMessage().setHeader("CareBusSubject", "pseudo-1");
        return exchange;
    }

    @Test
    void nodulesOnDicomSlicesAreFoundThroughTheRoute() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        int right = 0;
        for (int i = 0; i < 16; i++) {
            LesionImages.Image image = LesionImages.generate(random, i % 2 == 0);
            Exchange exchange = dicomExchange(ct(image, "slice-" + i + ".dcm"));
            infer.process(exchange, Map.of("model", "chest-nodule-demo"));
            assertThat(exchange.getMessage().getHeader("CareBusInferenceOutcome")).isEqualTo("PREDICTED");
            Prediction prediction = exchange.getMessage().getBody(Prediction.class);
            assertThat(prediction.model().id()).isEqualTo("chest-nodule-demo");
            float[] tensor = exchange.getMessage().getHeader("CareBusImageTensor", float[].class);
            assertThat(tensor).hasSize(224 * 224);
            boolean flagged = prediction.outputs().get("nodule_probability") >= 0.5;
            right += flagged == image.lesion() ? 1 : 0;
        }
        assertThat(right).isGreaterThanOrEqualTo(15);
    }

    @Test
    void theRouteGivesTheModelExactlyWhatImageTensorsComputes() throws Exception {
        LesionImages.Image image = LesionImages.generate(new SplittableRandom(3), true);
        Path file = ct(image, "exact.dcm");
        Exchange exchange = dicomExchange(file);
        infer.process(exchange, Map.of("model", "chest-nodule-demo"));
        Prediction viaRoute = exchange.getMessage().getBody(Prediction.class);
        ImageTensors.Tensor tensor;
        try (ModelLease lease = registry.lease("chest-nodule-demo", null)) {
            tensor = (ImageTensors.Tensor) ImageTensors.convert(file, lease.card().imageInput());
        }
        Prediction direct = registry.inferImage("chest-nodule-demo", null, "pseudo-1", tensor.data()).prediction();
        assertThat(viaRoute.outputs()).isEqualTo(direct.outputs());
        assertThat(viaRoute.inputHash()).isEqualTo(direct.inputHash());
        // Back from HU to the simulator's scale: the round trip through DICOM keeps the image within a grey level.
        float[] original = image.pixels();
        double worst = 0;
        for (int i = 0; i < original.length; i++) {
            worst = Math.max(worst, Math.abs(tensor.data()[i] - Math.min(1, Math.max(0, original[i]))));
        }
        assertThat(worst).isLessThan(0.002);
    }

    @Test
    void theHeadGraphGivesTheModelsOwnLogitFromItsActivations() {
        LesionImages.Image image = LesionImages.generate(new SplittableRandom(5), true);
        try (ModelLease lease = registry.lease("chest-nodule-demo", null)) {
            ModelLease.OutputTensor activations = lease.runOutput(new float[][] {image.pixels()}, "activations");
            assertThat(activations.shape()).containsExactly(1, 2, ChestNoduleModelBuilder.GRID, ChestNoduleModelBuilder.GRID);
            double logit = lease.runHead(activations.rows(), "nodule_probability")[0];
            double p = lease.run(new float[][] {image.pixels()}, "nodule_probability")[0];
            assertThat(1 / (1 + Math.exp(-logit))).isCloseTo(p, org.assertj.core.api.Assertions.within(1e-6));
        }
    }

    @Test
    void anImageTheCardDoesNotTakeIsAbstainedFromWithTheReason() throws Exception {
        Path mr = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 64, (x, y) -> 100)
                .withSopClass("1.2.840.10008.5.1.4.1.1.4"), dir.resolve("mr.dcm"));
        // The modality is what the card checks: rewrite it as MR.
        com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
        list.read(mr.toFile());
        list.replaceWithValueIfPresent(com.pixelmed.dicom.TagFromName.Modality, "MR");
        list.write(mr.toFile(), TestImages.EXPLICIT_LE, true, true);
        Exchange exchange = dicomExchange(mr);
        infer.process(exchange, Map.of("model", "chest-nodule-demo"));
        assertThat(exchange.getMessage().getHeader("CareBusInferenceOutcome")).isEqualTo("ABSTAINED");
        assertThat(exchange.getMessage().getHeader("CareBusAbstainReason", String.class)).contains("MR");
        assertThat(exchange.getMessage().getBody()).isInstanceOf(String.class);
    }
}
