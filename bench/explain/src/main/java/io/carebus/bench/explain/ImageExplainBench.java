package io.carebus.bench.explain;

import io.carebus.api.explain.Explanation;
import io.carebus.explain.internal.ImageExplainers;
import io.carebus.inference.ModelRegistries;
import io.carebus.models.tools.DemoModels;
import io.carebus.models.tools.LesionImages;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Image explanation cost on the signed chest-nodule-demo example (224², the CNN of models/chest-nodule-demo), per
 * call, next to one forward pass of the same model in the same run: the Grad-CAM map (target ≤ 2× one forward
 * pass), Grad-CAM with the upsampled heatmap and its PNG overlay,
 * occlusion 7×7 (32 px windows, stride 32: 49 positions) and the default occlusion (32 px, stride 16: 169 positions).
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ImageExplainBench {

    ModelRegistries.Standalone registry;
    ImageExplainers explainers;
    float[] image;

    @Setup(Level.Trial)
    public void open() throws Exception {
        registry = ModelRegistries.open(DemoModels.trustStore(), DemoModels.TRUST_PASSWORD, List.of(DemoModels.chestNoduleJar()), 1, 1);
        explainers = new ImageExplainers(registry);
        image = LesionImages.generate(new SplittableRandom(11), true).pixels();
    }

    @TearDown(Level.Trial)
    public void close() {
        registry.close();
    }

    @Benchmark
    public Object forward() {
        return registry.inferImage("chest-nodule-demo", null, "patient/PSEUDO-1", image);
    }

    /** The Grad-CAM map alone (forward pass + batched head call), without upsampling and the PNG overlay. */
    @Benchmark
    public Object gradCamMap() {
        try (io.carebus.inference.ModelLease lease = registry.lease("chest-nodule-demo", null)) {
            return io.carebus.explain.internal.GradCam.explain(lease, "nodule_probability", image);
        }
    }

    @Benchmark
    public Explanation gradCam() {
        return explainers.explain("chest-nodule-demo", null, "nodule_probability", image, "grad-cam");
    }

    @Benchmark
    public Explanation occlusion7x7() {
        return explainers.explain("chest-nodule-demo", null, "nodule_probability", image, "occlusion", 32, 32);
    }

    @Benchmark
    public Explanation occlusionStride16() {
        return explainers.explain("chest-nodule-demo", null, "nodule_probability", image, "occlusion", 32, 16);
    }
}
