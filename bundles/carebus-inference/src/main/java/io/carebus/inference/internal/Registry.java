package io.carebus.inference.internal;

import io.carebus.api.Sha256;
import io.carebus.api.model.Prediction;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * The live versions of every model. Requests read an immutable routing snapshot (replaced whole on every state
 * change) and take a reference on the session they use, so a promotion, roll back, retirement or undeploy never
 * fails or repeats a request: the request finishes on the session it took, the next one sees the new snapshot, and a
 * session left by all closes when its last request releases it.
 */
final class Registry implements ModelRegistries.Standalone {

    /** Per model id: who serves, the canary, the shadows, and every runnable version by version string. */
    private record Routing(LiveVersion serving, LiveVersion canary, List<LiveVersion> shadows, Map<String, LiveVersion> byVersion) {
    }

    private final Map<Long, LiveVersion> byBundle = new LinkedHashMap<>();
    private final Map<String, Deque<String>> previousServing = new HashMap<>();
    private volatile Map<String, Routing> routing = Map.of();
    private final double canaryShare;
    private final ExecutorService shadowRunner;
    private final Clock clock;
    private final BiConsumer<String, LiveVersion> lifecycle;
    private volatile Runnable onClose = () -> { };

    /** {@code lifecycle} hears every state change ("activate", "retire", ...), for the audit trail. */
    Registry(double canaryShare, ExecutorService shadowRunner, Clock clock, BiConsumer<String, LiveVersion> lifecycle) {
        this.canaryShare = canaryShare;
        this.shadowRunner = shadowRunner;
        this.clock = clock;
        this.lifecycle = lifecycle;
    }

    /** Adds a checked version in {@code initial} state (a first version of a model always serves). */
    synchronized LiveVersion add(long bundleId, String bundle, OrtModel model, String signer, ServingState initial) {
        String id = model.id().id();
        String version = model.id().version();
        String ownership = ownershipProblem(bundleId, bundle, id, version, signer);
        if (ownership != null) {
            model.release();
            return refuse(bundleId, bundle, id, version, ownership);
        }
        boolean hasServing = byBundle.values().stream().anyMatch(v -> id.equals(v.modelId) && v.state == ServingState.SERVING);
        ServingState state = hasServing ? (initial == ServingState.SERVING ? ServingState.SERVING : initial) : ServingState.SERVING;
        LiveVersion live = new LiveVersion(bundleId, bundle, model, id, version, null, signer, ServingState.SHADOW, clock.instant());
        byBundle.put(bundleId, live);
        lifecycle.accept("install", live);
        if (state == ServingState.SERVING) {
            promote(id, version);
        } else {
            live.state = state;
            publish();
        }
        return live;
    }

    /**
     * A model id and a bundle name belong to the signer who brought them first: another vendor's key cannot take
     * them over, and a version once installed is never replaced by different bytes under the same number.
     */
    private String ownershipProblem(long bundleId, String bundle, String id, String version, String signer) {
        String name = symbolicName(bundle);
        for (LiveVersion v : byBundle.values()) {
            if (v.model == null || v.bundleId == bundleId) {
                continue;
            }
            if (id.equals(v.modelId) && version.equals(v.version)) {
                return "version " + version + " of " + id + " is already live from another bundle (" + v.bundle
                        + "); a new build needs a new version";
            }
            if (id.equals(v.modelId) && !java.util.Objects.equals(signer, v.signer)) {
                return "model id " + id + " belongs to signer " + v.signer + "; " + signer + " cannot take it over";
            }
            if (name.equals(symbolicName(v.bundle)) && !java.util.Objects.equals(signer, v.signer)) {
                return "bundle name " + name + " belongs to signer " + v.signer + "; " + signer + " cannot take it over";
            }
        }
        return null;
    }

    /** Bundles are listed as "symbolic-name version". */
    private static String symbolicName(String bundle) {
        int space = bundle.lastIndexOf(' ');
        return space < 0 ? bundle : bundle.substring(0, space);
    }

    synchronized LiveVersion refuse(long bundleId, String bundle, String modelId, String version, String reason) {
        LiveVersion refused = new LiveVersion(bundleId, bundle, null, modelId, version, reason, null, ServingState.REFUSED, clock.instant());
        remove(bundleId); // new content of a bundle that served: its old version leaves as on any removal
        byBundle.remove(bundleId);
        byBundle.put(bundleId, refused);
        forgetOldRefusals();
        lifecycle.accept("refuse", refused);
        return refused;
    }

    /** Refusals are kept for the operator to read, the most recent {@value #KEPT_REFUSALS} of them. */
    private void forgetOldRefusals() {
        List<Long> refused = byBundle.values().stream().filter(v -> v.state == ServingState.REFUSED).map(v -> v.bundleId).toList();
        for (int i = 0; i < refused.size() - KEPT_REFUSALS; i++) {
            byBundle.remove(refused.get(i));
        }
    }

    static final int KEPT_REFUSALS = 50;

    /** The bundle went away: its version stops taking requests and its session closes once idle. */
    synchronized void remove(long bundleId) {
        LiveVersion gone = byBundle.get(bundleId);
        if (gone == null || gone.state == ServingState.REFUSED) {
            return; // a refusal stays listed with its reason after its bundle is uninstalled
        }
        byBundle.remove(bundleId);
        boolean wasServing = gone.state == ServingState.SERVING;
        gone.state = ServingState.RETIRED;
        if (wasServing) {
            fallBack(gone.modelId);
        }
        publish();
        if (gone.model != null) {
            gone.model.release();
            lifecycle.accept("retire", gone);
        }
    }

    /** After the serving version left: the most recent previous serving version still here serves again. */
    private void fallBack(String modelId) {
        Deque<String> history = previousServing.getOrDefault(modelId, new ArrayDeque<>());
        while (!history.isEmpty()) {
            LiveVersion candidate = find(modelId, history.pop());
            if (candidate != null && candidate.model != null && candidate.state != ServingState.RETIRED) {
                candidate.state = ServingState.SERVING;
                candidate.since = clock.instant();
                lifecycle.accept("activate", candidate);
                return;
            }
        }
    }

    private LiveVersion find(String modelId, String version) {
        return byBundle.values().stream().filter(v -> modelId.equals(v.modelId) && version.equals(v.version) && v.model != null)
                .findFirst().orElse(null);
    }

    private LiveVersion require(String modelId, String version) {
        LiveVersion v = find(modelId, version);
        if (v == null) {
            throw new NoSuchElementException("no live version " + version + " of model " + modelId);
        }
        return v;
    }

    @Override
    public synchronized void promote(String modelId, String version) {
        LiveVersion target = require(modelId, version);
        for (LiveVersion v : byBundle.values()) {
            if (v != target && modelId.equals(v.modelId) && v.state == ServingState.SERVING) {
                v.state = ServingState.SHADOW;
                v.since = clock.instant();
                previousServing.computeIfAbsent(modelId, k -> new ArrayDeque<>()).push(v.version);
            }
        }
        target.state = ServingState.SERVING;
        target.since = clock.instant();
        publish();
        lifecycle.accept("activate", target);
    }

    @Override
    public synchronized void rollback(String modelId) {
        Deque<String> history = previousServing.get(modelId);
        while (history != null && !history.isEmpty()) {
            LiveVersion previous = find(modelId, history.pop());
            if (previous != null && previous.state != ServingState.RETIRED) {
                LiveVersion current = currentServing(modelId);
                previous.state = ServingState.SERVING;
                previous.since = clock.instant();
                if (current != null) {
                    current.state = ServingState.SHADOW;
                    current.since = clock.instant();
                }
                publish();
                lifecycle.accept("activate", previous);
                return;
            }
        }
        throw new IllegalStateException("model " + modelId + " has no earlier serving version to roll back to");
    }

    private LiveVersion currentServing(String modelId) {
        return byBundle.values().stream().filter(v -> modelId.equals(v.modelId) && v.state == ServingState.SERVING).findFirst()
                .orElse(null);
    }

    @Override
    public synchronized void setState(String modelId, String version, ServingState state) {
        if (state == ServingState.SERVING) {
            promote(modelId, version);
            return;
        }
        if (state == ServingState.REFUSED) {
            throw new IllegalArgumentException("REFUSED is the checks' verdict, not a state to set");
        }
        LiveVersion target = require(modelId, version);
        if (target.state == ServingState.RETIRED) {
            throw new IllegalStateException(modelId + "@" + version + " is retired; redeploy its bundle to use it again");
        }
        boolean wasServing = target.state == ServingState.SERVING;
        target.state = state;
        target.since = clock.instant();
        if (wasServing) {
            fallBack(modelId);
        }
        publish();
        if (state == ServingState.RETIRED) {
            target.model.release();
            lifecycle.accept("retire", target);
        } else {
            lifecycle.accept(state.name().toLowerCase(java.util.Locale.ROOT), target);
        }
    }

    /** Rebuilds the routing snapshot; callers hold the lock. */
    private void publish() {
        Map<String, List<LiveVersion>> byModel = new LinkedHashMap<>();
        for (LiveVersion v : byBundle.values()) {
            if (v.runs()) {
                byModel.computeIfAbsent(v.modelId, k -> new ArrayList<>()).add(v);
            }
        }
        Map<String, Routing> next = new HashMap<>();
        for (Map.Entry<String, List<LiveVersion>> e : byModel.entrySet()) {
            LiveVersion serving = null;
            LiveVersion canary = null;
            List<LiveVersion> shadows = new ArrayList<>();
            Map<String, LiveVersion> versions = new HashMap<>();
            for (LiveVersion v : e.getValue()) {
                versions.put(v.version, v);
                switch (v.state) {
                    case SERVING -> serving = v;
                    case CANARY -> canary = v;
                    case SHADOW -> shadows.add(v);
                    default -> { }
                }
            }
            next.put(e.getKey(), new Routing(serving, canary, List.copyOf(shadows), Map.copyOf(versions)));
        }
        routing = Map.copyOf(next);
    }

    @Override
    public synchronized List<ModelView> models() {
        return byBundle.values().stream().map(LiveVersion::view)
                .sorted(Comparator.comparing((ModelView m) -> String.valueOf(m.modelId())).thenComparing(m -> String.valueOf(m.version())))
                .toList();
    }

    /** The version a request goes to, with a reference taken; retried if a swap closed it in between. */
    private LiveVersion take(String modelId, String version) {
        for (int attempt = 0; attempt < 100; attempt++) {
            Routing r = routing.get(modelId);
            if (r == null) {
                throw new NoSuchElementException("no live model " + modelId);
            }
            LiveVersion chosen;
            if (version != null) {
                chosen = r.byVersion().get(version);
                if (chosen == null) {
                    throw new NoSuchElementException("no live version " + version + " of model " + modelId);
                }
            } else {
                chosen = r.canary() != null && ThreadLocalRandom.current().nextDouble() < canaryShare ? r.canary() : r.serving();
                if (chosen == null) {
                    throw new NoSuchElementException("model " + modelId + " has no serving version");
                }
            }
            if (chosen.model.acquire()) {
                return chosen;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("model " + modelId + " is being swapped too fast to serve");
    }

    @Override
    public InferenceResult infer(String modelId, String version, String subjectPseudonym, Map<String, Double> features)
            throws InsufficientDataException {
        LiveVersion v = take(modelId, version);
        try {
            if (v.model.card().inputs().tabular() == null) {
                throw new IllegalArgumentException(modelId + " is an imaging model; send it an image");
            }
            float[] row = FeatureVector.build(v.model.card(), features);
            return answer(v, row, v.model.inputHash(row), subjectPseudonym, version == null, features);
        } finally {
            v.model.release();
        }
    }

    @Override
    public java.util.concurrent.CompletionStage<InferenceResult> inferAsync(String modelId, String version, String subjectPseudonym,
            Map<String, Double> features) {
        java.util.concurrent.CompletableFuture<InferenceResult> answer = new java.util.concurrent.CompletableFuture<>();
        LiveVersion v;
        float[] row;
        Sha256 inputHash;
        try {
            v = take(modelId, version);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        try {
            if (v.model.card().inputs().tabular() == null) {
                throw new IllegalArgumentException(modelId + " is an imaging model; send it an image");
            }
            row = FeatureVector.build(v.model.card(), features);
            inputHash = v.model.inputHash(row);
        } catch (InsufficientDataException | RuntimeException e) {
            v.model.release();
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        ServingState state = v.state;
        long start = System.nanoTime();
        // The reference taken above is held until the callback: a swap cannot close the session under the batch.
        v.model.runOneAsync(row, (outputs, failure) -> {
            try {
                if (failure != null) {
                    answer.completeExceptionally(failure);
                    return;
                }
                answer.complete(predicted(v, state, row, inputHash, subjectPseudonym, version == null, features, null, outputs,
                        System.nanoTime() - start));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            } finally {
                v.model.release();
            }
        });
        return answer;
    }

    @Override
    public InferenceResult inferFhir(String modelId, String version, String subjectPseudonym, String fhirJson, java.time.Instant asOf)
            throws InsufficientDataException {
        LiveVersion v = take(modelId, version);
        try {
            if (v.model.card().inputs().tabular() == null) {
                throw new IllegalArgumentException(modelId + " is an imaging model; send it an image");
            }
            Map<String, Double> features;
            try {
                features = ObservationFeatures.extract(v.model.card(), fhirJson, asOf);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("not readable FHIR JSON: " + e.getMessage(), e);
            }
            float[] row = FeatureVector.build(v.model.card(), features);
            return answer(v, row, v.model.inputHash(row), subjectPseudonym, version == null, features);
        } finally {
            v.model.release();
        }
    }

    @Override
    public io.carebus.inference.ModelLease lease(String modelId, String version) {
        LiveVersion v = take(modelId, version);
        return new Lease(v.model);
    }

    /** A reference on one session, released by close (once). */
    private static final class Lease implements io.carebus.inference.ModelLease {
        private final OrtModel model;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        Lease(OrtModel model) {
            this.model = model;
        }

        @Override
        public io.carebus.api.model.ModelId id() {
            return model.id();
        }

        @Override
        public io.carebus.api.model.ModelCard card() {
            return CardReader.toApi(model.card());
        }

        @Override
        public List<String> features() {
            return model.card().inputs().tabular() == null ? List.of()
                    : model.card().inputs().tabular().stream().map(CardDocument.TabularFeature::name).toList();
        }

        @Override
        public java.util.Optional<byte[]> file(String role) {
            return model.fileByRole(role);
        }

        @Override
        public java.util.OptionalInt explanationBudget() {
            CardDocument.Explanation explanation = model.card().explanation();
            return explanation == null || explanation.budgetCalls() == null || explanation.budgetCalls() <= 0
                    ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(explanation.budgetCalls());
        }

        @Override
        public float[] row(Map<String, Double> features) throws InsufficientDataException {
            return FeatureVector.build(model.card(), features);
        }

        @Override
        public double[] run(float[][] rows, String label) {
            try {
                List<Map<String, Double>> out = model.run(rows);
                double[] values = new double[out.size()];
                for (int i = 0; i < values.length; i++) {
                    Double v = out.get(i).get(label);
                    if (v == null) {
                        throw new IllegalArgumentException(model.id() + " has no output " + label);
                    }
                    values[i] = v;
                }
                return values;
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(model.id() + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public java.util.Optional<String> activationOutput() {
            CardDocument.Explanation explanation = model.card().explanation();
            return java.util.Optional.ofNullable(explanation == null ? null : explanation.activationOutput());
        }

        @Override
        public OutputTensor runOutput(float[][] rows, String onnxOutput) {
            try {
                return model.runOutput(rows, onnxOutput);
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(model.id() + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public double[] runHead(float[][] activations, String label) {
            try {
                return model.runHead(activations, label);
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(model.id() + " head failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                model.release();
            }
        }
    }

    @Override
    public InferenceResult inferImage(String modelId, String version, String subjectPseudonym, float[] pixels) {
        LiveVersion v = take(modelId, version);
        try {
            if (v.model.card().inputs().image() == null) {
                throw new IllegalArgumentException(modelId + " is a tabular model; send it features");
            }
            return answer(v, pixels, FeatureVector.hashPixels(pixels), subjectPseudonym, version == null, null);
        } finally {
            v.model.release();
        }
    }

    @Override
    public InferenceResult inferImage(String modelId, String version, String subjectPseudonym, io.carebus.inference.ImageSource image)
            throws io.carebus.api.model.ImageAbstainedException {
        LiveVersion v = take(modelId, version);
        try {
            if (v.model.card().inputs().image() == null) {
                throw new IllegalArgumentException(modelId + " is a tabular model; send it features");
            }
            float[] pixels = image.pixels(CardReader.toApi(v.model.card()).imageInput());
            return answer(v, pixels, FeatureVector.hashPixels(pixels), subjectPseudonym, version == null, null, image);
        } finally {
            v.model.release();
        }
    }

    private InferenceResult answer(LiveVersion v, float[] row, Sha256 inputHash, String subject, boolean withShadows,
            Map<String, Double> features) {
        return answer(v, row, inputHash, subject, withShadows, features, null);
    }

    /** {@code image}: the unconverted image, so each shadow version gets it preprocessed by its own card. */
    private InferenceResult answer(LiveVersion v, float[] row, Sha256 inputHash, String subject, boolean withShadows,
            Map<String, Double> features, io.carebus.inference.ImageSource image) {
        ServingState state = v.state;
        long start = System.nanoTime();
        Map<String, Double> outputs;
        try {
            outputs = v.model.runOne(row);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(v.model.id() + " failed: " + e.getMessage(), e);
        }
        return predicted(v, state, row, inputHash, subject, withShadows, features, image, outputs, System.nanoTime() - start);
    }

    /** The answer to one request once its outputs are known: counted, shadowed, and made a Prediction. */
    private InferenceResult predicted(LiveVersion v, ServingState state, float[] row, Sha256 inputHash, String subject,
            boolean withShadows, Map<String, Double> features, io.carebus.inference.ImageSource image, Map<String, Double> outputs,
            long latency) {
        v.requests.incrementAndGet();
        if (withShadows) {
            shadow(v, row, features, image, outputs);
        }
        return new InferenceResult(new Prediction(v.model.id(), subject, clock.instant(), inputHash, outputs,
                state == ServingState.SHADOW), state, latency, features, v.model.card().inputs().image() != null ? row : null);
    }

    /** Shadows run off the request thread; when they cannot keep up they skip (counted), never slow the answer. */
    private void shadow(LiveVersion served, float[] row, Map<String, Double> features, io.carebus.inference.ImageSource image,
            Map<String, Double> outputs) {
        Routing r = routing.get(served.modelId);
        if (r == null) {
            return;
        }
        for (LiveVersion s : r.shadows()) {
            if (s == served || !s.model.acquire()) {
                continue;
            }
            try {
                shadowRunner.execute(() -> {
                    try {
                        float[] input = features != null && s.model.card().inputs().tabular() != null
                                ? FeatureVector.build(s.model.card(), features)
                                : image != null && s.model.card().inputs().image() != null
                                ? image.pixels(CardReader.toApi(s.model.card()).imageInput()) : row;
                        s.recordShadow(outputs, s.model.runOne(input));
                    } catch (Exception e) {
                        s.shadowSkipped.incrementAndGet();
                    } finally {
                        s.model.release();
                    }
                });
            } catch (RejectedExecutionException full) {
                s.shadowSkipped.incrementAndGet();
                s.model.release();
            }
        }
    }

    /** Runs after {@link #close} (a standalone registry stops its shadow thread there). */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    /** Releases every session (component shutdown). */
    @Override
    public synchronized void close() {
        for (LiveVersion v : byBundle.values()) {
            if (v.model != null && v.state != ServingState.RETIRED) {
                v.model.release();
            }
        }
        byBundle.clear();
        routing = Map.of();
        onClose.run();
    }
}
