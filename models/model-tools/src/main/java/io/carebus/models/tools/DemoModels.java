package io.carebus.models.tools;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the signed example model bundles of this build and the demo trust store lie, for tests and benchmarks of
 * other modules (the reactor builds the models first; their jars are what the appliance deploys).
 */
public final class DemoModels {

    public static final String TRUST_PASSWORD = "carebus-demo";

    private DemoModels() {
    }

    public static Path chestNoduleJar() {
        return jar("chest-nodule-demo");
    }

    public static Path sepsisRiskJar() {
        return jar("sepsis-risk");
    }

    /** The shipped vendor trust store (etc/carebus-model-trust.p12), which holds the demo vendor's certificate. */
    public static Path trustStore() {
        return root().resolve("etc/carebus-model-trust.p12");
    }

    private static Path jar(String model) {
        Path target = root().resolve("models").resolve(model).resolve("target");
        try (var files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("carebus-model-" + model + "-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("build models/" + model + " first (no jar in " + target + ")"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("build models/" + model + " first: " + e.getMessage(), e);
        }
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("models/model-tools"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("not inside the CareBus source tree: " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
