package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.carebus.models.tools.OnnxGraphs;
import java.nio.FloatBuffer;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine ships the CPU build of ONNX Runtime, which has no CUDA provider: asking for CUDA must fall back to the
 * CPU (once, with the reason), and the session must still run.
 */
class ExecutionProvidersTest {

    @Test
    void cudaOnTheCpuBuildFallsBackToTheCpuWithTheReason() throws Exception {
        ExecutionProviders providers = new ExecutionProviders("cuda", 0, OrtEnvironment.getAvailableProviders());
        assertThat(providers.describe()).isEqualTo("cuda:0");
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        assertThat(providers.apply(options)).isFalse();
        assertThat(providers.describe()).startsWith("cpu (CUDA not usable: the CUDA execution provider cannot be added");
        // Once fallen back, later sessions do not try again.
        assertThat(providers.apply(new OrtSession.SessionOptions())).isFalse();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(OnnxGraphs.logisticRegression(new float[] {1f}, 0f), options);
             var input = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {0f}), new long[] {1, 1});
             var result = session.run(Map.of("features", input))) {
            assertThat(((float[][]) result.get(0).getValue())[0][0]).isEqualTo(0.5f);
        }
    }

    @Test
    void cpuIsTheDefaultAndAnUnknownProviderIsAConfigurationError() {
        ExecutionProviders cpu = new ExecutionProviders("cpu", 0, EnumSet.allOf(OrtProvider.class));
        assertThat(cpu.apply(new OrtSession.SessionOptions())).isFalse();
        assertThat(cpu.describe()).isEqualTo("cpu");
        assertThatThrownBy(() -> new ExecutionProviders("tpu", 0, EnumSet.of(OrtProvider.CPU)))
                .hasMessageContaining("auto, cpu or cuda");
    }

    @Test
    void autoAsksForCudaOnlyFromAnOrtBuiltWithIt() {
        ExecutionProviders cpuBuild = new ExecutionProviders("auto", 0, OrtEnvironment.getAvailableProviders());
        assertThat(OrtEnvironment.getAvailableProviders()).doesNotContain(OrtProvider.CUDA);
        assertThat(cpuBuild.apply(new OrtSession.SessionOptions())).isFalse();
        assertThat(cpuBuild.describe()).as("the CPU build: no attempt, no warning").isEqualTo("cpu");

        ExecutionProviders gpuBuild = new ExecutionProviders("auto", 1, EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA));
        assertThat(gpuBuild.describe()).isEqualTo("cuda:1");
        // the CPU build here cannot add it: the same single fallback as for an explicit cuda
        assertThat(gpuBuild.apply(new OrtSession.SessionOptions())).isFalse();
        assertThat(gpuBuild.describe()).startsWith("cpu (CUDA not usable: ");
    }
}
