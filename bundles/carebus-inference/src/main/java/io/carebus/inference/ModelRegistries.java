package io.carebus.inference;

import io.carebus.inference.internal.StandaloneRegistry;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens model bundle jars outside the container, with the same checks and runtime as the appliance: for benchmarks
 * and tools. The appliance itself serves model bundles through its extender.
 */
public final class ModelRegistries {

    private ModelRegistries() {
    }

    /** A registry and its sessions, closed together. */
    public interface Standalone extends ModelRegistry, AutoCloseable {
        @Override
        void close();
    }

    /**
     * Checks and opens each jar (trusted when signed by a certificate in {@code trustStore}); the first version of
     * each model serves, later ones shadow. {@code maxBatch} 1 turns micro-batching off.
     */
    public static Standalone open(Path trustStore, String trustStorePassword, List<Path> jars, int maxBatch, int batchWorkers)
            throws Exception {
        return StandaloneRegistry.open(trustStore, trustStorePassword, jars, maxBatch, batchWorkers);
    }

    /** As {@link #open(Path, String, List, int, int)}, trusting the given vendor certificates. */
    public static Standalone open(List<java.security.cert.X509Certificate> trusted, List<Path> jars, int maxBatch, int batchWorkers)
            throws Exception {
        return StandaloneRegistry.open(trusted, jars, maxBatch, batchWorkers);
    }
}
