package io.carebus.inference;

import java.time.Instant;
import java.util.Map;

/**
 * A model bundle as operators see it: the bundle, the model it declares (when its card could be read), its state,
 * the reason when refused, who signed it, and for shadows how their outputs compared with the serving version.
 */
public record ModelView(
        long bundleId,
        String bundle,
        String modelId,
        String version,
        String sha256,
        ServingState state,
        String reason,
        String signer,
        Instant since,
        long requests,
        Map<String, Object> shadowComparison) {
}
