package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.api.model.ModelId;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@link ModelRegistries#open}: the extender's checks and the registry, without OSGi. */
public final class StandaloneRegistry implements ModelRegistries.Standalone {

    private final Registry registry;
    private final ExecutorService shadows = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "carebus-model-shadow");
        t.setDaemon(true);
        return t;
    });

    public StandaloneRegistry(Path trustStore, String password, List<Path> jars, int maxBatch, int batchWorkers) throws Exception {
        this.registry = new Registry(0, shadows, Clock.systemUTC(), (event, v) -> { });
        ModelBundleInspector inspector = new ModelBundleInspector(VendorTrust.load(trustStore, password), false);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long id = 1;
        for (Path jar : jars) {
            ModelBundleInspector.ModelPackage pkg = inspector.inspect(jar);
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            OrtModel model = OrtModel.open(env, new ModelId(pkg.card().id(), pkg.card().version(), pkg.modelSha256()), pkg.card(),
                    pkg.model(), options);
            SelfTests.run(model);
            model.batch(maxBatch, 0, batchWorkers);
            registry.add(id++, jar.getFileName().toString(), model, pkg.signer(), ServingState.SHADOW);
        }
    }

    @Override
    public List<ModelView> models() {
        return registry.models();
    }

    @Override
    public InferenceResult infer(String modelId, String version, String subject, Map<String, Double> features)
            throws InsufficientDataException {
        return registry.infer(modelId, version, subject, features);
    }

    @Override
    public InferenceResult inferFhir(String modelId, String version, String subject, String fhirJson, java.time.Instant asOf)
            throws InsufficientDataException {
        return registry.inferFhir(modelId, version, subject, fhirJson, asOf);
    }

    @Override
    public InferenceResult inferImage(String modelId, String version, String subject, float[] pixels) {
        return registry.inferImage(modelId, version, subject, pixels);
    }

    @Override
    public void promote(String modelId, String version) {
        registry.promote(modelId, version);
    }

    @Override
    public void rollback(String modelId) {
        registry.rollback(modelId);
    }

    @Override
    public void setState(String modelId, String version, ServingState state) {
        registry.setState(modelId, version, state);
    }

    @Override
    public void close() {
        registry.close();
        shadows.shutdownNow();
    }
}
