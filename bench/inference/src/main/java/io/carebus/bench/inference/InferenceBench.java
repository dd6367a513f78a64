package io.carebus.bench.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.internal.InferStep;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sepsis-risk example (7 features, logistic regression) three ways, same JVM, same run:
 * <ul>
 *   <li>{@code rawOrt}: OrtSession.run on a prepared row, the peer (latency per call);</li>
 *   <li>{@code routeInfer}: a Camel route {@code direct:infer → carebus:infer} step with a map of features in and a
 *       Prediction out — what the engine adds (feature vector, input hash, Prediction, headers, Camel exchange);</li>
 *   <li>{@code batched64} / {@code unbatched64}: throughput of 64 concurrent callers through the registry with
 *       micro-batching on (64 rows, 2 workers) and off, each caller a thread blocked on its answer (64 threads on
 *       this machine's cores: mostly a measure of the operating system's thread wake-ups);</li>
 *   <li>{@code batchedAsync64} / {@code unbatchedAsync64}: the same 64 requests in flight through
 *       {@code inferAsync}, from 2 threads with 32 each (what an asynchronous Camel route does): batched, the rows
 *       go to the batch workers; unbatched, each runs at once on its caller, one thread per core, which is the
 *       most an unbatched engine can do on these cores.</li>
 * </ul>
 * Paths: {@code -Dcarebus.model=<signed jar> -Dcarebus.trust=<trust store>} (run.sh sets them).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class InferenceBench {

    static final Map<String, Double> PATIENT = Map.of("age", 72.0, "heart_rate_max", 121.0, "resp_rate_max", 27.0,
            "temperature_max", 38.9, "sbp_min", 92.0, "wbc_last", 15.4, "lactate_last", 3.2);

    static Path model() {
        return Path.of(System.getProperty("carebus.model"));
    }

    static ModelRegistries.Standalone open(int maxBatch) throws Exception {
        return ModelRegistries.open(Path.of(System.getProperty("carebus.trust")), "carebus-demo", List.of(model()), maxBatch,
                Integer.getInteger("carebus.batch.workers", 2));
    }

    @State(Scope.Thread)
    public static class Raw {
        OrtEnvironment env;
        OrtSession session;
        float[] row;
        String input;

        @Setup(Level.Trial)
        public void open() throws Exception {
            env = OrtEnvironment.getEnvironment();
            byte[] onnx;
            try (ZipFile jar = new ZipFile(model().toFile())) {
                onnx = jar.getInputStream(jar.getEntry("model.onnx")).readAllBytes();
            }
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = env.createSession(onnx, options);
            input = session.getInputNames().iterator().next();
            // the card's feature order: age, heart_rate_max, lactate_last, resp_rate_max, sbp_min, temperature_max, wbc_last
            row = new float[] {72f, 121f, 3.2f, 27f, 92f, 38.9f, 15.4f};
        }

        @TearDown(Level.Trial)
        public void close() throws OrtException {
            session.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Route {
        ModelRegistries.Standalone registry;
        DefaultCamelContext camel;
        ProducerTemplate template;

        @Setup(Level.Trial)
        public void open() throws Exception {
            registry = InferenceBench.open(1);
            InferStep step = new InferStep(registry);
            Map<String, String> options = Map.of("model", "sepsis-risk");
            camel = new DefaultCamelContext();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:infer").process(e -> step.process(e, options));
                }
            });
            camel.start();
            template = camel.createProducerTemplate();
        }

        @TearDown(Level.Trial)
        public void close() {
            camel.stop();
            registry.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Batched {
        ModelRegistries.Standalone registry;

        @Setup(Level.Trial)
        public void open() throws Exception {
            registry = InferenceBench.open(64);
        }

        @TearDown(Level.Trial)
        public void close() {
            registry.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Unbatched {
        ModelRegistries.Standalone registry;

        @Setup(Level.Trial)
        public void open() throws Exception {
            registry = InferenceBench.open(1);
        }

        @TearDown(Level.Trial)
        public void close() {
            registry.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float rawOrt(Raw raw) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(raw.env, FloatBuffer.wrap(raw.row), new long[] {1, raw.row.length});
             OrtSession.Result result = raw.session.run(Map.of(raw.input, tensor))) {
            return ((float[][]) result.get(0).getValue())[0][1];
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object routeInfer(Route route) {
        return route.template.requestBodyAndHeader("direct:infer", PATIENT, "CareBusSubject", "patient/PSEUDO-1");
    }

    @Benchmark
    @Threads(64)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object batched64(Batched b) throws Exception {
        return b.registry.infer("sepsis-risk", null, "patient/PSEUDO-1", PATIENT);
    }

    @Benchmark
    @Threads(64)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object unbatched64(Unbatched u) throws Exception {
        return u.registry.infer("sepsis-risk", null, "patient/PSEUDO-1", PATIENT);
    }

    static final int IN_FLIGHT_PER_THREAD = 32;

    private static double inFlight(ModelRegistries.Standalone registry) {
        java.util.concurrent.CompletableFuture<?>[] answers = new java.util.concurrent.CompletableFuture<?>[IN_FLIGHT_PER_THREAD];
        for (int i = 0; i < answers.length; i++) {
            answers[i] = registry.inferAsync("sepsis-risk", null, "patient/PSEUDO-1", PATIENT).toCompletableFuture();
        }
        double sum = 0;
        for (java.util.concurrent.CompletableFuture<?> a : answers) {
            sum += ((io.carebus.inference.InferenceResult) a.join()).prediction().outputs().values().iterator().next();
        }
        return sum;
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(IN_FLIGHT_PER_THREAD)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double batchedAsync64(Batched b) {
        return inFlight(b.registry);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(IN_FLIGHT_PER_THREAD)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double unbatchedAsync64(Unbatched u) {
        return inFlight(u.registry);
    }
}
