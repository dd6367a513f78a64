package io.carebus.inference.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.carebus.api.model.ModelId;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version's ONNX Runtime session, checked against its card when opened. Reference counted so a swap or an
 * undeploy never closes a session under a running request: the registry holds one reference, each request another,
 * and the session closes when the last one is released.
 */
final class OrtModel {

    private final ModelId id;
    private final CardDocument card;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final long[] inputShape;
    private final int features;
    private final java.util.Set<String> outputNames;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile MicroBatcher batcher;
    /** Each tabular feature's {@code name=} in bytes, made once: the input hash is computed on every request. */
    private final byte[][] hashPrefixes;
    /** ORT calls made for requests (batched or not), for tests and statistics. */
    private final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();
    private volatile Map<String, byte[]> files = Map.of();
    /** The card's head graph (activations → scores) for Grad-CAM, opened with the model; null when it has none. */
    private volatile OrtSession head;

    private OrtModel(ModelId id, CardDocument card, OrtEnvironment env, OrtSession session, String inputName, long[] inputShape) {
        this.id = id;
        this.card = card;
        this.hashPrefixes = FeatureVector.hashPrefixes(card);
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.inputShape = inputShape;
        long f = 1;
        for (int i = 1; i < inputShape.length; i++) {
            f *= inputShape[i];
        }
        this.features = (int) f;
        // Only the card's outputs are computed per request (an activation output for Grad-CAM is asked for only then).
        this.outputNames = new java.util.LinkedHashSet<>();
        card.outputs().forEach(o -> outputNames.add(o.onnxOutput()));
    }

    /** Opens the session and checks that its inputs and outputs are what the card declares. */
    static OrtModel open(OrtEnvironment env, ModelId id, CardDocument card, byte[] model, OrtSession.SessionOptions options)
            throws ModelRefusedException {
        OrtSession session;
        try {
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new ModelRefusedException("ONNX Runtime cannot load the model: " + e.getMessage());
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            String inputName = card.inputs().onnxInput() != null ? card.inputs().onnxInput()
                    : inputs.size() == 1 ? inputs.keySet().iterator().next() : null;
            if (inputName == null || !inputs.containsKey(inputName)) {
                throw new ModelRefusedException("/inputs/onnxInput", "the model's inputs " + inputs.keySet() + " do not match the card's input "
                        + (inputName == null ? "(none named; inputs.onnxInput is needed when the model has several)" : inputName));
            }
            if (!(inputs.get(inputName).getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
                throw new ModelRefusedException("/inputs/onnxInput", "the model's input " + inputName + " must be a float tensor");
            }
            long[] shape = tensor.getShape().clone();
            if (shape.length < 2) {
                throw new ModelRefusedException("/inputs/onnxInput", "the model's input " + inputName + " must have a batch dimension first");
            }
            for (int i = 1; i < shape.length; i++) {
                if (shape[i] <= 0) {
                    throw new ModelRefusedException("/inputs/onnxInput", "the model's input " + inputName + " has an unknown dimension " + i);
                }
            }
            long expected = card.inputs().tabular() != null ? card.inputs().tabular().size()
                    : (long) card.inputs().image().width() * card.inputs().image().height();
            long actual = 1;
            for (int i = 1; i < shape.length; i++) {
                actual *= shape[i];
            }
            if (actual != expected) {
                throw new ModelRefusedException(card.inputs().tabular() != null ? "/inputs/tabular" : "/inputs/image",
                        "the model's input " + inputName + " takes " + actual + " values per row, the card declares "
                        + expected + (card.inputs().tabular() != null ? " features" : " pixels"));
            }
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            for (int n = 0; n < card.outputs().size(); n++) {
                CardDocument.Output o = card.outputs().get(n);
                NodeInfo info = outputs.get(o.onnxOutput());
                if (info == null) {
                    throw new ModelRefusedException("/outputs/" + n + "/onnxOutput", "the card's output " + o.label() + " names ONNX output " + o.onnxOutput()
                            + ", the model has " + outputs.keySet());
                }
                if (!(info.getInfo() instanceof TensorInfo t) || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE)) {
                    throw new ModelRefusedException("/outputs/" + n + "/onnxOutput", "ONNX output " + o.onnxOutput() + " must be a float or double tensor");
                }
                long perRow = 1;
                for (int i = 1; i < t.getShape().length; i++) {
                    perRow = t.getShape()[i] > 0 ? perRow * t.getShape()[i] : -1;
                    if (perRow < 0) {
                        break;
                    }
                }
                int index = o.index() == null ? 0 : o.index();
                if (perRow > 0 && index >= perRow) {
                    throw new ModelRefusedException("/outputs/" + n + "/index", "output " + o.label() + " takes element " + index + " of " + o.onnxOutput()
                            + ", which has " + perRow + " per row");
                }
            }
            return new OrtModel(id, card, env, session, inputName, shape);
        } catch (ModelRefusedException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelRefusedException("cannot read the model's inputs and outputs: " + e.getMessage());
        }
    }

    ModelId id() {
        return id;
    }

    /** The bundle's files by path (the card lists them with their roles). */
    OrtModel withFiles(Map<String, byte[]> bundleFiles) {
        this.files = Map.copyOf(bundleFiles);
        return this;
    }

    /**
     * Opens the head graph the card names ({@code explanation.headGraph}) and checks the Grad-CAM contract: the
     * activation output is an output of the model, the head takes that output's values per row and gives each card
     * output's element. Without {@code explanation.activationOutput} there is nothing to open.
     */
    void openHead(OrtEnvironment environment, OrtSession.SessionOptions options) throws ModelRefusedException {
        CardDocument.Explanation explanation = card.explanation();
        if (explanation == null || (explanation.activationOutput() == null && explanation.headGraph() == null)) {
            return;
        }
        if (explanation.activationOutput() == null || explanation.headGraph() == null) {
            throw new ModelRefusedException("/explanation", "explanation needs both activationOutput and headGraph (Grad-CAM), or neither");
        }
        try {
            NodeInfo activation = session.getOutputInfo().get(explanation.activationOutput());
            if (activation == null || !(activation.getInfo() instanceof TensorInfo a) || a.type != OnnxJavaType.FLOAT) {
                throw new ModelRefusedException("/explanation/activationOutput", "explanation.activationOutput " + explanation.activationOutput()
                        + " is not a float output of the model (it has " + session.getOutputInfo().keySet() + ")");
            }
            byte[] bytes = files.get(explanation.headGraph());
            if (bytes == null || card.files().stream().noneMatch(f -> f.path().equals(explanation.headGraph()) && "head".equals(CardReader.role(f)))) {
                throw new ModelRefusedException("/explanation/headGraph", "explanation.headGraph " + explanation.headGraph() + " is not a file of the bundle with role head");
            }
            OrtSession opened;
            try {
                opened = environment.createSession(bytes, options);
            } catch (OrtException e) {
                throw new ModelRefusedException("/explanation/headGraph", "ONNX Runtime cannot load the head graph: " + e.getMessage());
            }
            boolean kept = false;
            try {
                if (opened.getInputInfo().size() != 1 || opened.getOutputInfo().size() != 1) {
                    throw new ModelRefusedException("/explanation/headGraph", "the head graph must have one input (the activations) and one output");
                }
                if (!(opened.getInputInfo().values().iterator().next().getInfo() instanceof TensorInfo in) || in.type != OnnxJavaType.FLOAT) {
                    throw new ModelRefusedException("/explanation/headGraph", "the head graph's input must be a float tensor (the activations)");
                }
                if (!(opened.getOutputInfo().values().iterator().next().getInfo() instanceof TensorInfo out)
                        || (out.type != OnnxJavaType.FLOAT && out.type != OnnxJavaType.DOUBLE)) {
                    throw new ModelRefusedException("/explanation/headGraph", "the head graph's output must be a float or double tensor");
                }
                long[] headInput = in.getShape();
                if (perRow(headInput) != perRow(a.getShape()) || perRow(headInput) <= 0) {
                    throw new ModelRefusedException("/explanation/headGraph", "the head graph takes " + java.util.Arrays.toString(headInput)
                            + ", the activation output " + explanation.activationOutput() + " is " + java.util.Arrays.toString(a.getShape()));
                }
                long headOut = perRow(out.getShape());
                for (CardDocument.Output o : card.outputs()) {
                    int index = o.index() == null ? 0 : o.index();
                    if (headOut > 0 && index >= headOut) {
                        throw new ModelRefusedException("/explanation/headGraph", "the head graph gives " + headOut + " values per row; output " + o.label()
                                + " needs element " + index);
                    }
                }
                head = opened;
                kept = true;
            } finally {
                if (!kept) {
                    closeQuietly(opened);
                }
            }
        } catch (OrtException e) {
            throw new ModelRefusedException("cannot read the head graph's inputs and outputs: " + e.getMessage());
        }
    }

    private static long perRow(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] <= 0) {
                return -1;
            }
            n *= shape[i];
        }
        return n;
    }

    java.util.Optional<byte[]> fileByRole(String role) {
        return card.files().stream().filter(f -> role.equals(CardReader.role(f))).findFirst()
                .map(f -> files.get(f.path()));
    }

    CardDocument card() {
        return card;
    }

    int features() {
        return features;
    }

    /** Takes a reference for one request; false if the session is already closed (retry with the current version). */
    boolean acquire() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            MicroBatcher b = batcher;
            if (b != null) {
                b.close();
            }
            closeQuietly(session);
            OrtSession h = head;
            if (h != null) {
                closeQuietly(h);
            }
        }
    }

    /** From now on, single rows go through a micro-batcher (maxBatch 1 leaves them on the caller's thread). */
    void batch(int maxBatch, long maxWaitMicros, int workers) {
        if (maxBatch > 1) {
            batcher = new MicroBatcher(this, maxBatch, maxWaitMicros, workers);
        }
    }

    /** One row's outputs: batched with concurrent requests when batching is on. The caller holds a reference. */
    Map<String, Double> runOne(float[] row) throws OrtException {
        MicroBatcher b = batcher;
        if (b == null) {
            return run(new float[][] {row}).get(0);
        }
        return b.run(row);
    }

    /**
     * One row's outputs to a callback: batched (the callback runs on the batch worker) when batching is on, else run
     * here and now. The caller holds a reference until the callback has run.
     */
    void runOneAsync(float[] row, java.util.function.BiConsumer<Map<String, Double>, RuntimeException> callback) {
        MicroBatcher b = batcher;
        if (b != null) {
            b.submit(row, callback);
            return;
        }
        Map<String, Double> output;
        try {
            output = run(new float[][] {row}).get(0);
        } catch (OrtException | RuntimeException e) {
            callback.accept(null, e instanceof RuntimeException r ? r : new IllegalStateException(id + " failed: " + e.getMessage(), e));
            return;
        }
        callback.accept(output, null);
    }

    /** The input hash of a tabular row (see {@link FeatureVector#hash}). */
    io.carebus.api.Sha256 inputHash(float[] row) {
        return FeatureVector.hash(hashPrefixes, row);
    }

    long calls() {
        return calls.sum();
    }

    boolean isClosed() {
        return references.get() == 0;
    }

    /**
     * Runs rows of inputs (each {@link #features()} long) in one call and returns, per row, the card's outputs by
     * label. Exactly what ORT computed: floats are widened to double, nothing else is done to them.
     */
    List<Map<String, Double>> run(float[][] rows) throws OrtException {
        calls.increment();
        try (OnnxTensor input = batch(rows);
             OrtSession.Result result = session.run(Map.of(inputName, input), outputNames)) {
            List<Map<String, Double>> out = new java.util.ArrayList<>(rows.length);
            for (int r = 0; r < rows.length; r++) {
                out.add(new LinkedHashMap<>());
            }
            for (CardDocument.Output o : card.outputs()) {
                OnnxValue value = result.get(o.onnxOutput()).orElseThrow();
                OnnxTensor tensor = (OnnxTensor) value;
                int perRow = (int) (tensor.getInfo().getNumElements() / rows.length);
                int index = o.index() == null ? 0 : o.index();
                if (tensor.getInfo().type == OnnxJavaType.DOUBLE) {
                    DoubleBuffer d = tensor.getDoubleBuffer();
                    for (int r = 0; r < rows.length; r++) {
                        out.get(r).put(o.label(), d.get(r * perRow + index));
                    }
                } else {
                    FloatBuffer f = tensor.getFloatBuffer();
                    for (int r = 0; r < rows.length; r++) {
                        out.get(r).put(o.label(), (double) f.get(r * perRow + index));
                    }
                }
            }
            return out;
        }
    }

    /** Output {@code onnxOutput} of the graph for rows of input, per row, with its shape. */
    io.carebus.inference.ModelLease.OutputTensor runOutput(float[][] rows, String onnxOutput) throws OrtException {
        try (OnnxTensor input = batch(rows); OrtSession.Result result = session.run(Map.of(inputName, input), java.util.Set.of(onnxOutput))) {
            return split((OnnxTensor) result.get(onnxOutput).orElseThrow(), rows.length);
        }
    }

    /** The head graph's output element for {@code label} per row of activations. */
    double[] runHead(float[][] activations, String label) throws OrtException {
        OrtSession h = head;
        if (h == null) {
            throw new IllegalStateException(id + " has no head graph (explanation.headGraph)");
        }
        CardDocument.Output output = card.outputs().stream().filter(o -> o.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id + " has no output " + label));
        NodeInfo in = h.getInputInfo().values().iterator().next();
        long[] shape = ((TensorInfo) in.getInfo()).getShape().clone();
        shape[0] = activations.length;
        FloatBuffer buffer = FloatBuffer.allocate(activations.length * activations[0].length);
        for (float[] row : activations) {
            buffer.put(row);
        }
        buffer.flip();
        try (OnnxTensor input = OnnxTensor.createTensor(env, buffer, shape); OrtSession.Result result = h.run(Map.of(in.getName(), input))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            int perRow = (int) (out.getInfo().getNumElements() / activations.length);
            int index = output.index() == null ? 0 : output.index();
            double[] values = new double[activations.length];
            if (out.getInfo().type == OnnxJavaType.DOUBLE) {
                DoubleBuffer d = out.getDoubleBuffer();
                for (int r = 0; r < values.length; r++) {
                    values[r] = d.get(r * perRow + index);
                }
            } else {
                FloatBuffer f = out.getFloatBuffer();
                for (int r = 0; r < values.length; r++) {
                    values[r] = f.get(r * perRow + index);
                }
            }
            return values;
        }
    }

    private OnnxTensor batch(float[][] rows) throws OrtException {
        long[] shape = inputShape.clone();
        shape[0] = rows.length;
        FloatBuffer buffer = FloatBuffer.allocate(rows.length * features);
        for (float[] row : rows) {
            if (row.length != features) {
                throw new IllegalArgumentException(id + " takes " + features + " values per row, got " + row.length);
            }
            buffer.put(row);
        }
        buffer.flip();
        return OnnxTensor.createTensor(env, buffer, shape);
    }

    private static io.carebus.inference.ModelLease.OutputTensor split(OnnxTensor tensor, int rows) {
        long[] shape = tensor.getInfo().getShape();
        int perRow = (int) (tensor.getInfo().getNumElements() / rows);
        float[][] out = new float[rows][perRow];
        if (tensor.getInfo().type == OnnxJavaType.DOUBLE) {
            DoubleBuffer d = tensor.getDoubleBuffer();
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < perRow; i++) {
                    out[r][i] = (float) d.get(r * perRow + i);
                }
            }
        } else {
            FloatBuffer f = tensor.getFloatBuffer();
            for (int r = 0; r < rows; r++) {
                f.get(out[r]);
            }
        }
        return new io.carebus.inference.ModelLease.OutputTensor(out, shape);
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException ignored) {
            // closing a session that failed to load or check: nothing left to release
        }
    }
}
