package io.carebus.inference.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session options for the configured execution provider. {@code cuda} asks for the CUDA provider on one device; the
 * ORT in the appliance may not have it (the CPU build, which CareBus ships by default) or the machine may have no
 * usable GPU — {@code getAvailableProviders()} lists what was compiled in, not what works — so the first failure is
 * logged once, clearly, and every model runs on the CPU from then on.
 */
final class ExecutionProviders {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionProviders.class);

    private final String provider;
    private final int device;
    private volatile String cpuBecause;

    ExecutionProviders(String provider, int device) {
        this.provider = provider == null ? "cpu" : provider.trim().toLowerCase(Locale.ROOT);
        if (!this.provider.equals("cpu") && !this.provider.equals("cuda")) {
            throw new IllegalArgumentException("execution.provider must be cpu or cuda, not " + provider);
        }
        this.device = device;
    }

    /** Adds the GPU provider to {@code options} when configured and still believed usable; true if it did. */
    boolean apply(OrtSession.SessionOptions options) {
        if (!provider.equals("cuda") || cpuBecause != null) {
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
            LOG.warn("execution.provider = cuda (device {}), but {}; all models run on the CPU", device, why);
        }
    }

    /** What sessions run on now: {@code cuda:<device>} or {@code cpu} (with the reason when CUDA was asked for). */
    String describe() {
        if (provider.equals("cpu")) {
            return "cpu";
        }
        return cpuBecause == null ? "cuda:" + device : "cpu (CUDA not usable: " + cpuBecause + ")";
    }
}
