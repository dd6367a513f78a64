package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.ServingState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@link ModelRegistries#open}: the extender's checks and the registry, without OSGi. */
public final class StandaloneRegistry {

    private StandaloneRegistry() {
    }

    public static ModelRegistries.Standalone open(Path trustStore, String password, List<Path> jars, int maxBatch, int batchWorkers)
            throws Exception {
        return open(VendorTrust.load(trustStore, password), jars, maxBatch, batchWorkers);
    }

    public static ModelRegistries.Standalone open(List<java.security.cert.X509Certificate> trusted, List<Path> jars, int maxBatch,
            int batchWorkers) throws Exception {
        return open(new VendorTrust(trusted), jars, maxBatch, batchWorkers);
    }

    private static ModelRegistries.Standalone open(VendorTrust trust, List<Path> jars, int maxBatch, int batchWorkers) throws Exception {
        ExecutorService shadows = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "carebus-model-shadow");
            t.setDaemon(true);
            return t;
        });
        Registry registry = new Registry(0, shadows, Clock.systemUTC(), (event, v) -> { });
        registry.onClose(shadows::shutdownNow);
        ModelBundleInspector inspector = new ModelBundleInspector(trust, false);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long id = 1;
        for (Path jar : jars) {
            ModelBundleInspector.ModelPackage pkg = inspector.inspect(jar);
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            OrtModel model = ModelChecks.open(env, pkg, options);
            model.batch(maxBatch, 0, batchWorkers);
            registry.add(id++, jar.getFileName().toString(), model, pkg.signer(), ServingState.SHADOW);
        }
        return registry;
    }
}
