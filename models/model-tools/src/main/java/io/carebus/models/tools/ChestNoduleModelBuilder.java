package io.carebus.models.tools;

import static io.carebus.models.tools.OnnxGraphs.floatInput;
import static io.carebus.models.tools.OnnxGraphs.floatTensor;
import static io.carebus.models.tools.OnnxGraphs.ints;
import static io.carebus.models.tools.OnnxGraphs.node;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds the chest-nodule-demo model bundle's contents at build time: a small CNN written directly as an ONNX graph
 * whose filters are designed, not learned — directional centre-versus-neighbour contrasts, combined so that only a
 * spot brighter than its surroundings in every direction (a round nodule) responds — and a head (global max pool, dense, sigmoid) whose three weights are fitted by logistic regression on
 * simulated images ({@link LesionImages}). The graph exports its last convolution output ({@code activations}) and
 * the bundle carries the head as its own graph (activations → logit), so Grad-CAM needs no gradients from ORT.
 *
 * <p>Usage: {@code ChestNoduleModelBuilder <output directory> <model version>}
 */
public final class ChestNoduleModelBuilder {

    static final long SEED = 20261129L;
    static final int TRAINING = 600;
    static final int HELD_OUT = 600;
    static final double THRESHOLD = 0.5;
    static final int S = LesionImages.SIZE;
    /** Size of the activation grid (224 → average pool 2 → max pool 2). */
    public static final int GRID = S / 4;

    private ChestNoduleModelBuilder() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : "1.0.0";
        Files.createDirectories(out);
        List<LesionImages.Image> training = LesionImages.set(SEED, TRAINING);
        List<LesionImages.Image> heldOut = LesionImages.set(SEED + 1, HELD_OUT);
        try (OrtEnvironment env = OrtEnvironment.getEnvironment()) {
            // The head's weights are fitted on the features the fixed filters compute (global max per channel).
            double[][] x = channelMaxima(env, model(new float[] {0, 0}, 0f), training);
            boolean[] y = new boolean[training.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = training.get(i).lesion();
            }
            double[] fitted = logisticRegression(x, y);
            float[] w = {(float) fitted[0], (float) fitted[1]};
            float b = (float) fitted[2];
            byte[] model = model(w, b);
            byte[] head = head(w, b);
            Files.write(out.resolve("model.onnx"), model);
            Files.write(out.resolve("head.onnx"), head);

            double[] scores = probabilities(env, model, heldOut);
            boolean[] positive = new boolean[heldOut.size()];
            for (int i = 0; i < positive.length; i++) {
                positive[i] = heldOut.get(i).lesion();
            }
            StringBuilder card = new StringBuilder(header(version, SepsisModelBuilder.sha256(model), SepsisModelBuilder.sha256(head)));
            card.append(performance(scores, positive, heldOut));
            card.append("""
                    changeControl: >-
                      Future versions may change the filters and head weights; the input (one 224x224 lung-windowed
                      slice), the output, its meaning and the activation/head contract for Grad-CAM stay, or the model
                      id changes. Each version arrives in shadow mode and is promoted after its comparison is reviewed.
                    selfTests:
                    """);
            for (float constant : new float[] {0f, 0.3f, 1f}) {
                float[] image = new float[S * S];
                java.util.Arrays.fill(image, constant);
                card.append("  - inputs: {constant: ").append(constant).append("}\n    expected: {nodule_probability: ")
                        .append(run(env, model, List.of(image))[0]).append("}\n    tolerance: 0.00001\n");
            }
            card.append("disclaimer: designed filters and simulated images — demonstration, not for clinical use\n");
            Files.writeString(out.resolve("model-card.yaml"), card.toString(), StandardCharsets.UTF_8);
            System.out.printf(Locale.ROOT, "chest-nodule-demo %s: head w=(%.4f, %.4f) b=%.4f, held-out AUROC %.3f on %d images%n",
                    version, w[0], w[1], b, Auroc.of(scores, positive), heldOut.size());
        }
    }

    /**
     * The model graph: image [N,1,224,224] → AveragePool 2 → edge padding → Conv 25×25 with 8 designed directional
     * contrast filters (a Gaussian centre minus a Gaussian 10 px away in one of 8 directions) → MaxPool 2 → per
     * location the minimum over directions ("nodule": brighter than its surroundings in every direction, which an
     * edge, a band or the image border is not) and the maximum ("structure") → ReLU = {@code activations} [N,2,56,56]
     * → head → {@code probability} [N,1].
     */
    public static byte[] model(float[] headWeights, float headBias) {
        GraphProto.Builder g = headGraph(headWeights, headBias).setName("chest-nodule-demo")
                .addInitializer(floatTensor("W1", directionalFilters(), DIRECTIONS, 1, K, K))
                .addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("P1")
                        .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64.getNumber()).addDims(8)
                        .addAllInt64Data(List.of(0L, 0L, (long) K / 2, (long) K / 2, 0L, 0L, (long) K / 2, (long) K / 2)).build())
                .addInput(floatInput("image", -1, 1, S, S))
                .addNode(node("AveragePool", new String[] {"image"}, "half", ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("Pad", new String[] {"half", "P1"}, "padded", AttributeProto.newBuilder().setName("mode")
                        .setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8("edge")).build()))
                .addNode(node("Conv", new String[] {"padded", "W1"}, "conv1", ints("kernel_shape", K, K)))
                .addNode(node("MaxPool", new String[] {"conv1"}, "directional", ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("ReduceMin", new String[] {"directional"}, "nodule", ints("axes", 1)))
                .addNode(node("ReduceMax", new String[] {"directional"}, "structure", ints("axes", 1)))
                .addNode(node("Concat", new String[] {"nodule", "structure"}, "maps", AttributeProto.newBuilder().setName("axis")
                        .setType(AttributeProto.AttributeType.INT).setI(1).build()))
                .addNode(node("Relu", new String[] {"maps"}, "activations"))
                .addNode(node("Sigmoid", new String[] {"logit"}, "probability"))
                .addOutput(floatInput("probability", -1, 1))
                .addOutput(floatInput("activations", -1, 2, GRID, GRID));
        return OnnxGraphs.model(g.build());
    }

    /** The head as its own graph: activations [N,2,56,56] → logit [N,1], for Grad-CAM. */
    public static byte[] head(float[] headWeights, float headBias) {
        return OnnxGraphs.model(headGraph(headWeights, headBias).setName("chest-nodule-head")
                .addInput(floatInput("activations", -1, 2, GRID, GRID))
                .addOutput(floatInput("logit", -1, 1)).build());
    }

    static final int DIRECTIONS = 8;
    static final int K = 25;

    /** activations → GlobalMaxPool → Flatten → Gemm(w, b) → logit (shared by the model and the head graph). */
    private static GraphProto.Builder headGraph(float[] w, float b) {
        return GraphProto.newBuilder()
                .addInitializer(floatTensor("Wh", w, 2, 1))
                .addInitializer(floatTensor("Bh", new float[] {b}, 1))
                .addNode(node("GlobalMaxPool", new String[] {"activations"}, "pooled"))
                .addNode(node("Flatten", new String[] {"pooled"}, "flat", AttributeProto.newBuilder().setName("axis")
                        .setType(AttributeProto.AttributeType.INT).setI(1).build()))
                .addNode(node("Gemm", new String[] {"flat", "Wh", "Bh"}, "logit"));
    }

    /** Eight 25×25 filters: a Gaussian (σ 2.5) at the centre minus the same Gaussian 10 px away at 45° steps. */
    static float[] directionalFilters() {
        float[] w = new float[DIRECTIONS * K * K];
        double[] centre = gaussian(K, 2.5, 0, 0);
        for (int d = 0; d < DIRECTIONS; d++) {
            double angle = d * Math.PI / 4;
            double[] neighbour = gaussian(K, 2.5, 10 * Math.cos(angle), 10 * Math.sin(angle));
            for (int i = 0; i < K * K; i++) {
                w[d * K * K + i] = (float) (centre[i] - neighbour[i]);
            }
        }
        return w;
    }

    private static double[] gaussian(int k, double sigma, double offsetX, double offsetY) {
        double[] g = new double[k * k];
        double sum = 0;
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                double dx = x - k / 2 - offsetX, dy = y - k / 2 - offsetY;
                g[y * k + x] = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                sum += g[y * k + x];
            }
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /** Per image, the global maximum of each activation channel. */
    private static double[][] channelMaxima(OrtEnvironment env, byte[] model, List<LesionImages.Image> images) throws Exception {
        double[][] maxima = new double[images.size()][2];
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            for (int from = 0; from < images.size(); from += 50) {
                List<LesionImages.Image> batch = images.subList(from, Math.min(images.size(), from + 50));
                try (OnnxTensor input = tensor(env, batch.stream().map(LesionImages.Image::pixels).toList());
                     OrtSession.Result result = session.run(Map.of("image", input))) {
                    FloatBuffer a = ((OnnxTensor) result.get("activations").orElseThrow()).getFloatBuffer();
                    int per = GRID * GRID;
                    for (int i = 0; i < batch.size(); i++) {
                        for (int ch = 0; ch < 2; ch++) {
                            double max = 0;
                            for (int j = 0; j < per; j++) {
                                max = Math.max(max, a.get((i * 2 + ch) * per + j));
                            }
                            maxima[from + i][ch] = max;
                        }
                    }
                }
            }
        }
        return maxima;
    }

    private static double[] probabilities(OrtEnvironment env, byte[] model, List<LesionImages.Image> images) throws Exception {
        double[] p = new double[images.size()];
        for (int from = 0; from < images.size(); from += 50) {
            List<LesionImages.Image> batch = images.subList(from, Math.min(images.size(), from + 50));
            double[] part = run(env, model, batch.stream().map(LesionImages.Image::pixels).toList());
            System.arraycopy(part, 0, p, from, part.length);
        }
        return p;
    }

    private static double[] run(OrtEnvironment env, byte[] model, List<float[]> images) throws Exception {
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = tensor(env, images);
             OrtSession.Result result = session.run(Map.of("image", input))) {
            FloatBuffer p = ((OnnxTensor) result.get("probability").orElseThrow()).getFloatBuffer();
            double[] out = new double[images.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = p.get(i);
            }
            return out;
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, List<float[]> images) throws Exception {
        FloatBuffer buffer = FloatBuffer.allocate(images.size() * S * S);
        images.forEach(buffer::put);
        buffer.flip();
        return OnnxTensor.createTensor(env, buffer, new long[] {images.size(), 1, S, S});
    }

    /** Two features and a bias by Newton's method (a little L2 keeps it finite on separable data). */
    static double[] logisticRegression(double[][] x, boolean[] y) {
        double[] beta = new double[3];
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] gradient = new double[3];
            double[][] hessian = new double[3][3];
            for (int i = 0; i < x.length; i++) {
                double[] row = {x[i][0], x[i][1], 1};
                double z = beta[0] * row[0] + beta[1] * row[1] + beta[2];
                double p = 1 / (1 + Math.exp(-z));
                for (int a = 0; a < 3; a++) {
                    gradient[a] += (p - (y[i] ? 1 : 0)) * row[a];
                    for (int c = 0; c < 3; c++) {
                        hessian[a][c] += p * (1 - p) * row[a] * row[c];
                    }
                }
            }
            for (int a = 0; a < 2; a++) {
                gradient[a] += 0.01 * beta[a];
                hessian[a][a] += 0.01;
            }
            double[] step = solve(hessian, gradient);
            double change = 0;
            for (int a = 0; a < 3; a++) {
                beta[a] -= step[a];
                change += Math.abs(step[a]);
            }
            if (change < 1e-9) {
                break;
            }
        }
        return beta;
    }

    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = m[r][col] / m[col][col];
                    for (int c = col; c <= n; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = m[i][n] / m[i][i];
        }
        return x;
    }

    private static String header(String version, String modelSha, String headSha) {
        return """
                id: chest-nodule-demo
                version: "%s"
                vendor: carebus-demo
                name: Lung nodule detector (demonstration)
                intendedUse: >-
                  Demonstrates CareBus imaging inference and Grad-CAM explanations: flags a bright round nodule on one
                  lung-windowed chest CT slice and shows where it is. Its filters are designed (a matched filter for
                  round bright spots), only its three head weights are fitted, on simulated images.
                contraindications:
                  - Any clinical use (designed filters, simulated images)
                  - Images other than axial chest CT; nodules smaller than 7 mm or larger than 12 mm at 0.7 mm pixels
                files:
                  - path: model.onnx
                    sha256: %s
                    role: model
                  - path: head.onnx
                    sha256: %s
                    role: head
                inputs:
                  onnxInput: image
                  image:
                    modality: CT
                    bodyPart: CHEST
                    width: 224
                    height: 224
                    windowCenter: -600
                    windowWidth: 1500
                    normalisation: unit
                outputs:
                  - label: nodule_probability
                    onnxOutput: probability
                    index: 0
                    type: probability
                    threshold: %s
                    fhirResource: Observation
                    code: "urn:carebus:demo-finding|lung-nodule"
                explanation:
                  method: grad-cam
                  activationOutput: activations
                  headGraph: head.onnx
                trainingData:
                  summary: >-
                    %d simulated lung-windowed slices from models/model-tools LesionImages (seed %d; half with one
                    nodule of radius 10-16 px, ribs, vessels, and the mediastinum on some), used only to fit the head's
                    two weights and bias by logistic regression. No patient data.
                  source: synthetic
                  size: %d
                """.formatted(version, modelSha, headSha, THRESHOLD, TRAINING, SEED, TRAINING);
    }

    private static String performance(double[] scores, boolean[] positive, List<LesionImages.Image> heldOut) {
        StringBuilder yaml = new StringBuilder("performance:\n  evaluation: >-\n    ").append(heldOut.size())
                .append(" further simulated slices (seed ").append(SEED + 1).append("); sensitivity and specificity at the threshold ")
                .append(THRESHOLD).append(". Figures describe the simulator, not any real population.\n  overall:\n");
        yaml.append(CardMetrics.yaml(scores, positive, i -> true, "    ", THRESHOLD));
        yaml.append("  subgroups:\n");
        Map<String, Predicate<LesionImages.Image>> groups = new java.util.LinkedHashMap<>();
        groups.put("with mediastinum in view", LesionImages.Image::mediastinum);
        groups.put("without mediastinum in view", i -> !i.mediastinum());
        for (Map.Entry<String, Predicate<LesionImages.Image>> g : groups.entrySet()) {
            long size = heldOut.stream().filter(g.getValue()).count();
            yaml.append("    - name: \"").append(g.getKey()).append("\"\n      size: ").append(size).append("\n      metrics:\n")
                    .append(CardMetrics.yaml(scores, positive, i -> g.getValue().test(heldOut.get(i)), "        ", THRESHOLD));
        }
        return yaml.toString();
    }
}
