package io.carebus.bench.explain;

import io.carebus.api.explain.Explanation;
import io.carebus.explain.internal.Explainers;
import io.carebus.inference.ModelRegistries;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * Explanation cost on the signed sepsis-risk example (7 features, logistic regression), per call, next to one
 * inference of the same model in the same run: {@code exact} (linear SHAP; target < 0.1 ms) and {@code sampling500}
 * (permutation sampling, 500 permutations; target ≤ 20 ms). Paths: {@code -Dcarebus.model}, {@code -Dcarebus.trust}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExplainBench {

    static final Map<String, Double> PATIENT = Map.of("age", 72.0, "heart_rate_max", 121.0, "resp_rate_max", 27.0,
            "temperature_max", 38.9, "sbp_min", 92.0, "wbc_last", 15.4, "lactate_last", 3.2);

    ModelRegistries.Standalone registry;
    Explainers explainers;

    @Setup(Level.Trial)
    public void open() throws Exception {
        registry = ModelRegistries.open(Path.of(System.getProperty("carebus.trust")), "carebus-demo",
                List.of(Path.of(System.getProperty("carebus.model"))), 1, 1);
        explainers = new Explainers(registry);
    }

    @TearDown(Level.Trial)
    public void close() {
        registry.close();
    }

    @Benchmark
    public Object inference() throws Exception {
        return registry.infer("sepsis-risk", null, "patient/PSEUDO-1", PATIENT);
    }

    @Benchmark
    public Explanation exact() throws Exception {
        return explainers.explain("sepsis-risk", null, "sepsis_risk", PATIENT, 1, "auto");
    }

    @Benchmark
    public Explanation sampling500() throws Exception {
        return explainers.explain("sepsis-risk", null, "sepsis_risk", PATIENT, 1, "sampling");
    }
}
