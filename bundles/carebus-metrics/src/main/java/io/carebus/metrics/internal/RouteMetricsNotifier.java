package io.carebus.metrics.internal;

import io.carebus.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Times what the CareBus CamelContext does, from Camel's own exchange events: every route's exchanges (and so every
 * MLLP listener's ACKs), the processing routes' messages end to end, and each {@code carebus:infer} call with its
 * outcome. A notifier rather than a route policy because it can join a context whose routes are already running
 * (listeners and route files come and go while the appliance runs), and it needs no change to any route.
 */
final class RouteMetricsNotifier extends EventNotifierSupport {

    /** The inference step's outcome header (carebus-inference InferStep). */
    static final String INFERENCE_OUTCOME = "CareBusInferenceOutcome";
    /** The inference step's own measure of the model run, in microseconds, when it predicted. */
    static final String INFERENCE_MICROS = "CareBusInferenceMicros";
    /** The stored message's id on the exchanges the dispatchers hand to the processing routes. */
    static final String MESSAGE_ID = "CareBusMessageId";
    private static final String HL7_LISTENER_ROUTE_PREFIX = "carebus-hl7-";
    /** Where the dispatchers hand each stored message to the routes: direct:carebus-hl7-inbound, -fhir-, -dicom-. */
    private static final java.util.regex.Pattern PROCESSING_ENDPOINT = java.util.regex.Pattern.compile("direct://carebus-[a-z0-9]+-inbound");

    private final MeterRegistry registry;
    private final EndToEndLatency endToEnd;
    private final Duration[] slos;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    private record TimerKey(String name, String tag, String value, String outcome) {
    }

    RouteMetricsNotifier(MeterRegistry registry, EndToEndLatency endToEnd, Duration[] slos) {
        this.registry = registry;
        this.endToEnd = endToEnd;
        this.slos = slos.clone();
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        // Not the created and sending events: Camel emits an exchange's sent event only where a notifier took its
        // sending event (that starts the send's stop watch), and its completion where one took its creation.
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSentEvent sent) {
            onSent(sent);
        } else if (event instanceof CamelEvent.ExchangeFailedEvent failed) {
            onDone(failed.getExchange(), "failed");
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent completed) {
            onDone(completed.getExchange(), "completed");
        }
    }

    private void onDone(Exchange exchange, String outcome) {
        // Copies (multicast, split, wire tap) carry a correlation id: the exchange they were copied from is the one
        // a route's consumer began, and is counted once, by itself.
        if (exchange.getProperty(ExchangePropertyKey.CORRELATION_ID) != null) {
            return;
        }
        String route = exchange.getFromRouteId();
        Endpoint from = exchange.getFromEndpoint();
        String uri = from == null ? "" : from.getEndpointUri();
        if (route == null || uri.startsWith("direct:")) {
            return; // a producer template's exchange, or one sent to a direct: route, which its send times (onSent)
        }
        long nanos = TimeUnit.MILLISECONDS.toNanos(exchange.getClock().elapsed());
        timer(MetricNames.ROUTE_EXCHANGES, "route", route, outcome).record(nanos, TimeUnit.NANOSECONDS);
        if (uri.startsWith("mllp:")) {
            String listener = route.startsWith(HL7_LISTENER_ROUTE_PREFIX) ? route.substring(HL7_LISTENER_ROUTE_PREFIX.length()) : route;
            timer(MetricNames.LISTENER_ACK, "listener", listener, outcome).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onSent(CamelEvent.ExchangeSentEvent sent) {
        String uri = sent.getEndpoint().getEndpointUri();
        if (uri.startsWith("direct:")) {
            onDirectSent(sent, uri);
        } else if (uri.startsWith("carebus://infer") || uri.startsWith("carebus:infer")) {
            onInferSent(sent, uri);
        }
    }

    /**
     * A send to a direct: route runs that route on the sender's exchange, so the send is the route's run: the
     * dispatchers hand stored messages to {@code direct:carebus-<protocol>-inbound} this way, and routes call routes.
     */
    private void onDirectSent(CamelEvent.ExchangeSentEvent sent, String uri) {
        String route = consumingRoute(sent.getEndpoint());
        if (route == null) {
            return;
        }
        Exchange exchange = sent.getExchange();
        String outcome = exchange.isFailed() ? "failed" : "completed";
        timer(MetricNames.ROUTE_EXCHANGES, "route", route, outcome).record(sent.getTimeTaken(), TimeUnit.MILLISECONDS);
        Object messageId = exchange.getMessage().getHeader(MESSAGE_ID);
        if (messageId instanceof Number id && PROCESSING_ENDPOINT.matcher(uri).matches()) {
            endToEnd.completed(id.longValue(), route, System.currentTimeMillis());
        }
    }

    private static String consumingRoute(Endpoint endpoint) {
        for (Route route : endpoint.getCamelContext().getRoutes()) {
            if (route.getEndpoint() == endpoint || route.getEndpoint().getEndpointUri().equals(endpoint.getEndpointUri())) {
                return route.getRouteId();
            }
        }
        return null;
    }

    private void onInferSent(CamelEvent.ExchangeSentEvent sent, String uri) {
        Exchange exchange = sent.getExchange();
        String outcome = exchange.getException() != null ? "FAILED"
                : String.valueOf(exchange.getMessage().getHeader(INFERENCE_OUTCOME, "UNKNOWN", String.class));
        Long micros = exchange.getMessage().getHeader(INFERENCE_MICROS, Long.class);
        long nanos = micros != null && "PREDICTED".equals(outcome)
                ? TimeUnit.MICROSECONDS.toNanos(micros) : TimeUnit.MILLISECONDS.toNanos(sent.getTimeTaken());
        timer(MetricNames.MODEL_INFERENCE, "model", EndpointParameters.value(uri, "model"), outcome)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String tag, String value, String outcome) {
        return timers.computeIfAbsent(new TimerKey(name, tag, value, outcome), k -> Timer.builder(name)
                .tag(tag, value).tag("outcome", outcome)
                .serviceLevelObjectives(slos)
                .register(registry));
    }
}
