package io.carebus.bench.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The CNN of models/chest-nodule-demo on the CUDA execution provider against the CPU, in one JVM and run: latency of
 * single images (p50, p95) and throughput of batches of 32, and how far the GPU's outputs are from the CPU's. Run by
 * bench/gpu-check.sh with onnxruntime_gpu on the class path (not the CPU build). Without a usable GPU it says why
 * and measures the CPU alone.
 *
 * <p>Usage: {@code GpuCheck <model.onnx> [single runs] [batches]}
 */
public final class GpuCheck {

    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        byte[] model = Files.readAllBytes(Path.of(args[0]));
        int singles = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("ONNX Runtime " + env.getVersion() + ", providers compiled in: " + OrtEnvironment.getAvailableProviders());
        float[][] images = new float[32][224 * 224];
        SplittableRandom random = new SplittableRandom(1);
        for (float[] image : images) {
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextDouble();
            }
        }
        Figures cpu = measure(env, model, cpuOptions(), images, singles, batches);
        System.out.println(cpu.describe("cpu"));
        OrtSession.SessionOptions cudaOptions = cpuOptions();
        Figures cuda;
        try {
            cudaOptions.addCUDA(0);
            cuda = measure(env, model, cudaOptions, images, singles, batches);
        } catch (OrtException | UnsatisfiedLinkError e) {
            System.out.println("RESULT cuda: not usable (" + e.getMessage() + "); cpu only: p50 single "
                    + String.format(Locale.ROOT, "%.2f ms, batch-32 %.0f images/s", cpu.p50Millis, cpu.imagesPerSecond));
            return;
        }
        System.out.println(cuda.describe("cuda"));
        double maxDiff = 0;
        for (int i = 0; i < cpu.outputs.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(cpu.outputs[i] - cuda.outputs[i]));
        }
        System.out.printf(Locale.ROOT, "RESULT cuda vs cpu: single p50 %.2f vs %.2f ms (%.2fx faster), batch-32 %.0f vs %.0f images/s "
                        + "(%.2fx), max |output difference| %.2e%n", cuda.p50Millis, cpu.p50Millis, cpu.p50Millis / cuda.p50Millis,
                cuda.imagesPerSecond, cpu.imagesPerSecond, cuda.imagesPerSecond / cpu.imagesPerSecond, maxDiff);
    }

    private static OrtSession.SessionOptions cpuOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    private record Figures(double p50Millis, double p95Millis, double imagesPerSecond, float[] outputs) {
        String describe(String provider) {
            return String.format(Locale.ROOT, "%s: single image p50 %.2f ms, p95 %.2f ms; batch of 32: %.0f images/s", provider,
                    p50Millis, p95Millis, imagesPerSecond);
        }
    }

    private static Figures measure(OrtEnvironment env, byte[] model, OrtSession.SessionOptions options, float[][] images, int singles,
            int batches) throws OrtException {
        try (OrtSession session = env.createSession(model, options)) {
            for (int i = 0; i < 20; i++) {
                run(env, session, images, 1);
            }
            double[] millis = new double[singles];
            for (int i = 0; i < singles; i++) {
                long start = System.nanoTime();
                run(env, session, images, 1);
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            run(env, session, images, images.length);
            long start = System.nanoTime();
            float[] outputs = null;
            for (int i = 0; i < batches; i++) {
                outputs = run(env, session, images, images.length);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Figures(millis[singles / 2], millis[(int) (singles * 0.95)], batches * images.length / seconds, outputs);
        }
    }

    private static float[] run(OrtEnvironment env, OrtSession session, float[][] images, int n) throws OrtException {
        FloatBuffer buffer = FloatBuffer.allocate(n * 224 * 224);
        for (int i = 0; i < n; i++) {
            buffer.put(images[i]);
        }
        buffer.flip();
        try (OnnxTensor input = OnnxTensor.createTensor(env, buffer, new long[] {n, 1, 224, 224});
             OrtSession.Result result = session.run(Map.of("image", input), java.util.Set.of("probability"))) {
            float[] out = new float[n];
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(out);
            return out;
        }
    }
}
