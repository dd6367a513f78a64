package io.carebus.inference.internal;

import io.carebus.camel.RouteStep;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelRegistry;
import io.carebus.api.model.ImageAbstainedException;
import io.carebus.api.model.ImageConverter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code carebus:infer?model=<id>[&version=<v>]}: runs the model on the body (a map of feature name to number, or
 * FHIR R4 JSON — a Bundle of Observations as the body or in header {@code CareBusFhirBundle} — for tabular models,
 * a float[] image tensor or, on a DICOM exchange (header {@code CareBusDicomFile}), the instance itself,
 * converted as the chosen version's card says, for imaging models) for the patient pseudonym in header
 * {@code CareBusSubject}. On success the body becomes the {@link io.carebus.api.model.Prediction} and headers
 * carry model id, version, sha256, input hash, serving state and latency; when the card's features are missing
 * without defaults the body is left alone, {@code CareBusInferenceOutcome} is {@code INSUFFICIENT_DATA} and
 * {@code CareBusMissingFeatures} lists them, so the route decides instead of the model guessing. An image that
 * cannot become a faithful tensor gives {@code ABSTAINED} with the reason in {@code CareBusAbstainReason}. The tensor
 * an imaging model saw is left in header {@code CareBusImageTensor} (float[]) for {@code carebus:explain}.
 */
@Component(service = RouteStep.class)
public class InferStep implements RouteStep {

    static final String SUBJECT = "CareBusSubject";
    /** The HL7 intake's FHIR form of the message (carebus-hl7 Hl7Headers.FHIR_BUNDLE). */
    static final String FHIR_BUNDLE = "CareBusFhirBundle";
    /** The time feature windows end at (an Instant); now when absent. */
    static final String AS_OF = "CareBusAsOf";
    /** carebus:context's FHIR Bundle of the patient's recent timeline: preferred to the message's own FHIR form. */
    static final String TIMELINE = "CareBusPatientTimeline";
    /**
     * The observations the features came from (List of {@code system|value} identifiers, or {@code Observation/<id>}),
     * for a RiskAssessment's basis; {@code CareBusFeatureBasisByFeature} has them per feature name.
     */
    static final String BASIS = "CareBusFeatureBasis";
    static final String BASIS_BY_FEATURE = "CareBusFeatureBasisByFeature";
    /** The feature values used (tabular maps), for carebus:explain. */
    static final String FEATURES = "CareBusFeatures";

    /** The DICOM gateway's instance file (carebus-dicom DicomHeaders.FILE). */
    static final String DICOM_FILE = "CareBusDicomFile";
    static final String IMAGE_TENSOR = "CareBusImageTensor";

    /** Exchanges at most waiting on batches without a thread; beyond that a route's thread waits, as before. */
    static final int MAX_IN_FLIGHT = 1024;

    private final ModelRegistry registry;
    /**
     * Continues exchanges whose batch has run, so the batch workers go straight back to batching instead of running
     * the rest of every route.
     */
    private final java.util.concurrent.ThreadPoolExecutor continuations = continuationPool();
    /** Keeps back-pressure: a consumer cannot pile up unbounded exchanges behind a busy model. */
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
    /** Offered by carebus-dicom; without it DICOM exchanges cannot be given to imaging models. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ImageConverter images;

    @Activate
    public InferStep(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    private static java.util.concurrent.ThreadPoolExecutor continuationPool() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(32, 32, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "carebus-infer-route-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * On the continuation pool; after deactivation (a step being replaced) on a thread of its own, never on the batch
     * worker that completed it (a later step waiting on that worker would wait for ever) and never dropped.
     */
    private void continueRoute(Runnable rest) {
        try {
            continuations.execute(rest);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            Thread t = new Thread(rest, "carebus-infer-route-after-stop");
            t.setDaemon(true);
            t.start();
        }
    }

    @Deactivate
    void deactivate() {
        continuations.shutdown();
    }

    /** Outside OSGi (tests, tools): the image converter given, not looked up. */
    public InferStep(ModelRegistry registry, ImageConverter images) {
        this.registry = registry;
        this.images = images;
    }

    @Override
    public String name() {
        return "infer";
    }

    @Override
    public Set<String> options() {
        return Set.of("model", "version");
    }

    /**
     * Feature maps go to {@link ModelRegistry#inferAsync}: with micro-batching on, the route's thread is let go while
     * the request waits for its batch, and the exchange continues on the batch worker. Everything else (FHIR, images)
     * runs here.
     */
    @Override
    public boolean process(Exchange exchange, Map<String, String> options, AsyncCallback callback) {
        Message in = exchange.getMessage();
        if (!(in.getBody() instanceof Map<?, ?> map) || options.get("model") == null || options.get("model").isBlank()
                || !inFlight.tryAcquire()) {
            return RouteStep.super.process(exchange, options, callback);
        }
        in.removeHeader(IMAGE_TENSOR);
        java.util.concurrent.CompletableFuture<InferenceResult> answer;
        try {
            answer = registry.inferAsync(options.get("model"), options.get("version"), in.getHeader(SUBJECT, "unknown", String.class),
                    features(map)).toCompletableFuture();
        } catch (RuntimeException e) {
            inFlight.release();
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        if (answer.isDone()) {
            inFlight.release();
            finish(exchange, answer);
            callback.done(true);
            return true;
        }
        answer.whenCompleteAsync((result, failure) -> {
            inFlight.release();
            finish(exchange, answer);
            callback.done(false);
        }, this::continueRoute);
        return false;
    }

    private void finish(Exchange exchange, java.util.concurrent.CompletableFuture<InferenceResult> answer) {
        try {
            answer(exchange.getMessage(), answer.join());
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof InsufficientDataException insufficient) {
                insufficient(exchange.getMessage(), insufficient);
            } else {
                exchange.setException(e.getCause());
            }
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        String model = options.get("model");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("carebus:infer needs ?model=<model id>");
        }
        Message in = exchange.getMessage();
        String subject = in.getHeader(SUBJECT, "unknown", String.class);
        Object body = in.getBody();
        // A tensor left by an earlier carebus:infer on this exchange must not be taken for this model's input.
        in.removeHeader(IMAGE_TENSOR);
        in.removeHeader(BASIS);
        in.removeHeader(BASIS_BY_FEATURE);
        InferenceResult result;
        try {
            if (body instanceof float[] pixels) {
                result = registry.inferImage(model, options.get("version"), subject, pixels);
                in.setHeader(IMAGE_TENSOR, pixels);
            } else if (body instanceof Map<?, ?> map) {
                result = registry.infer(model, options.get("version"), subject, features(map));
            } else if (in.getHeader(DICOM_FILE) != null) {
                Path file = in.getHeader(DICOM_FILE, Path.class);
                ImageConverter converter = images;
                if (converter == null) {
                    throw new ImageAbstainedException("no image converter is installed (feature carebus-dicom)");
                }
                result = registry.inferImage(model, options.get("version"), subject, spec -> converter.tensor(file, spec));
                in.setHeader(IMAGE_TENSOR, result.pixels());
            } else if (in.getHeader(TIMELINE) != null || in.getHeader(FHIR_BUNDLE) != null || body instanceof String || body instanceof byte[]) {
                // The patient's timeline when carebus:context ran; else the message alone (an HL7 route's body is the
                // v2 text; its FHIR form travels in the header).
                String fhir = in.getHeader(TIMELINE) != null ? in.getHeader(TIMELINE, String.class)
                        : in.getHeader(FHIR_BUNDLE) != null ? in.getHeader(FHIR_BUNDLE, String.class) : in.getBody(String.class);
                java.time.Instant asOf = in.getHeader(AS_OF, java.time.Instant.now(), java.time.Instant.class);
                result = registry.inferFhir(model, options.get("version"), subject, fhir, asOf);
                basis(in, result, fhir, asOf);
            } else {
                throw new IllegalArgumentException("carebus:infer takes a map of feature values, FHIR JSON or a float[] image, not "
                        + (body == null ? "an empty body" : body.getClass().getName()));
            }
        } catch (ImageAbstainedException e) {
            in.setHeader("CareBusInferenceOutcome", "ABSTAINED");
            in.setHeader("CareBusAbstainReason", e.reason());
            return;
        } catch (InsufficientDataException e) {
            insufficient(in, e);
            return;
        }
        answer(in, result);
    }

    /**
     * Which observations fed the features, by the card of the version that answered; without them the prediction
     * still stands (a registry that cannot lease, the JSON read once already).
     */
    private void basis(Message in, InferenceResult result, String fhir, java.time.Instant asOf) {
        io.carebus.api.model.ModelId id = result.prediction().model();
        try (io.carebus.inference.ModelLease lease = registry.lease(id.id(), id.version())) {
            ObservationFeatures.Extraction used = ObservationFeatures.evaluate(ObservationFeatures.specs(lease.card()), fhir, asOf);
            java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
            used.basis().values().forEach(all::addAll);
            in.setHeader(BASIS, java.util.List.copyOf(all));
            in.setHeader(BASIS_BY_FEATURE, used.basis());
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(InferStep.class).debug("No feature basis for {}: {}", id.id(), e.toString());
        }
    }

    private static void insufficient(Message in, InsufficientDataException e) {
        in.setHeader("CareBusInferenceOutcome", "INSUFFICIENT_DATA");
        in.setHeader("CareBusMissingFeatures", e.missing());
    }

    private static void answer(Message in, InferenceResult result) {
        in.setHeader("CareBusInferenceOutcome", "PREDICTED");
        if (!result.features().isEmpty()) {
            in.setHeader(FEATURES, result.features());
        }
        in.setHeader("CareBusModelId", result.prediction().model().id());
        in.setHeader("CareBusModelVersion", result.prediction().model().version());
        in.setHeader("CareBusModelSha256", result.prediction().model().sha256().hex());
        in.setHeader("CareBusInputSha256", result.prediction().inputHash().hex());
        in.setHeader("CareBusServingState", result.servedBy().name());
        in.setHeader("CareBusInferenceMicros", result.latencyNanos() / 1000);
        in.setBody(result.prediction());
    }

    private static Map<String, Double> features(Map<?, ?> map) {
        Map<String, Double> features = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Number n) {
                features.put(String.valueOf(e.getKey()), n.doubleValue());
            } else if (v instanceof String s && !s.isBlank()) {
                try {
                    features.put(String.valueOf(e.getKey()), Double.parseDouble(s.strip()));
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("feature " + e.getKey() + " is not a number: " + s);
                }
            }
        }
        return features;
    }
}
