package io.carebus.inference.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session options for the configured execution provider. {@code cuda} asks for the CUDA provider on one device;
 * {@code auto} (the default) does so only when the ORT in the appliance was built with it (the GPU build, from the
 * {@code carebus-inference-gpu} feature), so installing that feature is all it takes. The ORT build may have no CUDA
 * provider, or the machine no usable GPU — {@code getAvailableProviders()} lists what was compiled in, not what
 * works — so the first failure is logged once, clearly, and every model runs on the CPU from then on.
 */
final class ExecutionProviders {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionProviders.class);

    private final String configured;
    private final boolean wantsCuda;
    private final int device;
    private volatile String cpuBecause;

    /** {@code compiledIn}: what the loaded ORT build has, {@code OrtEnvironment.getAvailableProviders()}. */
    ExecutionProviders(String provider, int device, Set<OrtProvider> compiledIn) {
        this.configured = provider == null ? "auto" : provider.trim().toLowerCase(Locale.ROOT);
        this.wantsCuda = switch (configured) {
            case "cpu" -> false;
            case "cuda" -> true;
            case "auto" -> compiledIn.contains(OrtProvider.CUDA);
            default -> throw new IllegalArgumentException("execution.provider must be auto, cpu or cuda, not " + provider);
        };
        this.device = device;
    }

    /** Adds the GPU provider to {@code options} when wanted and still believed usable; true if it did. */
    boolean apply(OrtSession.SessionOptions options) {
        if (!wantsCuda || cpuBecause != null) {
            return false;
        }
        try {
            options.addCUDA(device);
            return true;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            fallBack("the CUDA execution provider cannot be added: " + e.getMessage());
            return false;
        }
    }

    /** Records that the GPU did not work (e.g. a session with CUDA could not be created); later sessions use the CPU. */
    void fallBack(String why) {
        if (cpuBecause == null) {
            cpuBecause = why;
            LOG.warn("execution.provider = {} asks for CUDA (device {}), but {}; all models run on the CPU", configured,
                    device, why);
        }
    }

    /** What sessions run on now: {@code cuda:<device>} or {@code cpu} (with the reason when CUDA was asked for). */
    String describe() {
        if (!wantsCuda) {
            return "cpu";
        }
        return cpuBecause == null ? "cuda:" + device : "cpu (CUDA not usable: " + cpuBecause + ")";
    }
}
