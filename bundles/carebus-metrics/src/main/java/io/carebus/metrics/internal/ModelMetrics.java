package io.carebus.metrics.internal;

import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import io.carebus.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the model registry already counts, as meters: requests per model version (the registry's own count, so
 * shadows' runs show too) and each version's state. Read on the store's schedule, not on a scrape.
 */
final class ModelMetrics {

    private record Version(String model, String version) {
    }

    private final MeterRegistry registry;
    private final MultiGauge states;
    private final Map<Version, AtomicLong> requests = new ConcurrentHashMap<>();

    ModelMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.states = MultiGauge.builder(MetricNames.MODEL_STATE).register(registry);
    }

    void read(ModelRegistry models) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ModelView view : models.models()) {
            if (view.modelId() == null || view.version() == null) {
                continue; // a refused bundle whose card could not be read: no model to name
            }
            Version key = new Version(view.modelId(), view.version());
            requests.computeIfAbsent(key, k -> {
                AtomicLong count = new AtomicLong();
                FunctionCounter.builder(MetricNames.MODEL_REQUESTS, count, AtomicLong::doubleValue)
                        .tags("model", k.model(), "version", k.version()).register(registry);
                return count;
            }).set(view.requests());
            rows.add(MultiGauge.Row.of(Tags.of("model", view.modelId(), "version", view.version(),
                    "state", String.valueOf(view.state())), 1));
        }
        states.register(rows, true);
    }
}
