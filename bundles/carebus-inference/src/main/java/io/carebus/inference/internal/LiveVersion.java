package io.carebus.inference.internal;

import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/** One model bundle as the registry holds it: its session (none when refused), state and counters. */
final class LiveVersion {

    final long bundleId;
    final String bundle;
    final OrtModel model;
    final String modelId;
    final String version;
    final String reason;
    final String signer;
    volatile ServingState state;
    volatile Instant since;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong shadowRuns = new AtomicLong();
    final AtomicLong shadowSkipped = new AtomicLong();
    final DoubleAdder shadowAbsDiff = new DoubleAdder();
    volatile double shadowMaxDiff;

    LiveVersion(long bundleId, String bundle, OrtModel model, String modelId, String version, String reason, String signer,
            ServingState state, Instant since) {
        this.bundleId = bundleId;
        this.bundle = bundle;
        this.model = model;
        this.modelId = modelId;
        this.version = version;
        this.reason = reason;
        this.signer = signer;
        this.state = state;
        this.since = since;
    }

    boolean runs() {
        return model != null && (state == ServingState.SERVING || state == ServingState.CANARY || state == ServingState.SHADOW);
    }

    synchronized void recordShadow(Map<String, Double> served, Map<String, Double> shadow) {
        shadowRuns.incrementAndGet();
        for (Map.Entry<String, Double> e : served.entrySet()) {
            Double mine = shadow.get(e.getKey());
            if (mine != null) {
                double diff = Math.abs(mine - e.getValue());
                shadowAbsDiff.add(diff);
                shadowMaxDiff = Math.max(shadowMaxDiff, diff);
            }
        }
    }

    ModelView view() {
        Map<String, Object> comparison = new LinkedHashMap<>();
        long runs = shadowRuns.get();
        if (runs > 0 || shadowSkipped.get() > 0) {
            comparison.put("runs", runs);
            comparison.put("skipped", shadowSkipped.get());
            comparison.put("meanAbsDiff", runs == 0 ? 0 : shadowAbsDiff.sum() / runs);
            comparison.put("maxAbsDiff", shadowMaxDiff);
        }
        return new ModelView(bundleId, bundle, modelId, version, model == null ? null : model.id().sha256().hex(), state, reason,
                signer, since, requests.get(), comparison);
    }
}
