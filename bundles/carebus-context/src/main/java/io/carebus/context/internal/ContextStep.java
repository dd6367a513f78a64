package io.carebus.context.internal;

import io.carebus.camel.RouteStep;
import io.carebus.context.ContextHeaders;
import io.carebus.inference.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code carebus:context[?lookback=P2D][&model=<id>[&scoreOnDemographics=false]]}: records the message's FHIR form (header {@code CareBusFhirBundle}, else the
 * body) into its subject's timeline and hands the route that timeline as of the event's own time
 * ({@link ContextHeaders}). The subject is header {@code CareBusSubject} when set (after {@code carebus:deid}: the
 * pseudonym, and every time in the message already shifted), else the message's patient identifier. A merge (ADT^A40:
 * the Patient {@code replaces} another) first moves the retired patient's timeline to the subject. With
 * {@code model}, it also says whether the message should score the patient with that model
 * ({@link ContextHeaders#SCORE_TRIGGERED}).
 */
@Component(service = RouteStep.class, configurationPid = "io.carebus.context")
@Designate(ocd = ContextConfig.class)
public class ContextStep implements RouteStep {

    static final Duration DEFAULT_LOOKBACK = Duration.ofDays(2);
    private static final Instant FAR_FUTURE = Instant.parse("9999-12-31T00:00:00Z");

    /** The models whose cards say which codes trigger a score; optional, so the context works without inference. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ModelRegistry registry;
    private static final Logger LOG = LoggerFactory.getLogger(ContextStep.class);

    private final TimelineStore store;
    private final Duration maxLookback;
    private final int maxEntries;
    private final Clock clock;
    private final ContextRetention retention;

    @Activate
    public ContextStep(@Reference io.carebus.api.store.EngineDatabase database, ContextConfig config) {
        this(database.dataSource(), config.retention_days(), Duration.parse(config.max_lookback()), config.max_timeline_entries(), Clock.systemUTC(), true);
    }

    /** Outside OSGi (tests): {@code retentionDays} 0 or {@code scheduleRetention} false leaves pruning to the caller. */
    ContextStep(DataSource dataSource, int retentionDays, Duration maxLookback, int maxEntries, Clock clock, boolean scheduleRetention) {
        this.store = new TimelineStore(dataSource);
        this.maxLookback = maxLookback;
        this.maxEntries = Math.max(1, maxEntries);
        this.clock = clock;
        this.retention = scheduleRetention && retentionDays > 0
                ? new ContextRetention(store, Duration.ofDays(retentionDays), clock) : null;
    }

    @Deactivate
    void deactivate() {
        if (retention != null) {
            retention.close();
        }
    }

    TimelineStore store() {
        return store;
    }

    @Override
    public String name() {
        return "context";
    }

    @Override
    public Set<String> options() {
        return Set.of("lookback", "model", "scoreOnDemographics");
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) throws Exception {
        Message in = exchange.getMessage();
        Duration lookback = lookback(options.get("lookback"));
        String fhir = in.getHeader(ContextHeaders.FHIR_BUNDLE, String.class);
        if (fhir == null) {
            Object body = in.getBody();
            fhir = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : in.getBody(String.class);
        }
        // Whatever an earlier step or message left must not pass for this message's context.
        in.removeHeader(ContextHeaders.AS_OF);
        in.removeHeader(ContextHeaders.TIMELINE);
        in.removeHeader(ContextHeaders.SCORE_TRIGGERED);
        in.setHeader(ContextHeaders.CODES, Set.of());
        if (fhir == null || fhir.isBlank() || !fhir.stripLeading().startsWith("{")) {
            throw new IllegalArgumentException("carebus:context needs FHIR JSON: header " + ContextHeaders.FHIR_BUNDLE
                    + " (HL7v2 intake) or a FHIR resource or Bundle as the body");
        }
        Optional<ClinicalMessage> message = FhirMessageReader.read(fhir, in.getHeader(ContextHeaders.SUBJECT, String.class));
        if (message.isEmpty()) {
            LOG.debug("carebus:context: the message names no patient; nothing recorded");
            return;
        }
        Set<String> changed = store.record(message.get(), clock.instant(), realignment(in, message.get().replaces()));
        in.setHeader(ContextHeaders.CODES, changed);
        Optional<Instant> asOf = message.get().asOf();
        boolean demographicsOnly = message.get().observations().isEmpty() && message.get().patient().isPresent();
        boolean onDemographics = "true".equalsIgnoreCase(options.getOrDefault("scoreOnDemographics", "false").strip());
        if (asOf.isEmpty() && demographicsOnly && onDemographics) {
            // An ADT has no time of its own to score at: the patient's latest observation is the as-of.
            asOf = latest(message.get().subject());
        }
        boolean mergedObservations = !message.get().replaces().isEmpty() && !changed.isEmpty();
        if (asOf.isEmpty() && mergedObservations) {
            // A merge (ADT^A40) moved observations to the survivor: it is scored again, as of its latest observation.
            asOf = latest(message.get().subject());
        }
        String model = options.get("model");
        if (model != null && !model.isBlank()) {
            boolean triggered = asOf.isPresent() && (ScoreTrigger.usesAny(registry, model.strip(), changed)
                    || (demographicsOnly && onDemographics));
            in.setHeader(ContextHeaders.SCORE_TRIGGERED, triggered);
        }
        if (asOf.isPresent()) {
            in.setHeader(ContextHeaders.AS_OF, asOf.get());
            // With a model and no lookback of the route's own, only what its card reads; else the whole lookback.
            Optional<CardReads> reads = options.containsKey("lookback") ? Optional.empty() : CardReads.of(registry, model);
            Instant from = asOf.get().minus(lookback);
            TimelineStore.Timeline timeline = reads.isPresent()
                    ? store.timeline(message.get().subject(), reads.get(), from, asOf.get(), maxEntries)
                    : store.timeline(message.get().subject(), from, asOf.get(), maxEntries);
            in.setHeader(ContextHeaders.TIMELINE, TimelineBundle.json(timeline, asOf.get()));
        }
    }

    /**
     * After carebus:deid every patient's times are shifted by its own offset: the history of a patient merged away is
     * moved by (survivor's shift − its shift) days, so it sits in the survivor's dates. Without de-identification
     * (no {@code CareBusDateShiftDays}) times are real and stay.
     */
    private static Map<String, Integer> realignment(Message in, Set<String> replaced) {
        Integer survivorShift = in.getHeader(ContextHeaders.DATE_SHIFT_DAYS, Integer.class);
        Map<?, ?> linked = in.getHeader(ContextHeaders.LINKED_DATE_SHIFTS, Map.class);
        if (replaced.isEmpty() || survivorShift == null || linked == null) {
            return Map.of();
        }
        Map<String, Integer> days = new java.util.HashMap<>();
        for (String key : replaced) {
            String pseudonym = key.startsWith(FhirMessageReader.PSEUDONYM_SYSTEM + "|")
                    ? key.substring(FhirMessageReader.PSEUDONYM_SYSTEM.length() + 1) : key;
            if (linked.get(pseudonym) instanceof Number shift) {
                days.put(key, survivorShift - shift.intValue());
            }
        }
        return days;
    }

    private Optional<Instant> latest(String subject) throws java.sql.SQLException {
        return store.timeline(subject, Instant.EPOCH, FAR_FUTURE, 1).observations().stream()
                .map(TimelineStore.Entry::effective).max(Instant::compareTo);
    }

    /** The route's lookback, never more than {@code max.lookback}: no route can make the engine build an unbounded bundle. */
    private Duration lookback(String option) {
        if (option == null || option.isBlank()) {
            return DEFAULT_LOOKBACK.compareTo(maxLookback) > 0 ? maxLookback : DEFAULT_LOOKBACK;
        }
        Duration asked;
        try {
            asked = Duration.parse(option.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("carebus:context lookback must be an ISO 8601 duration such as P2D or PT12H, not " + option);
        }
        if (asked.isNegative() || asked.isZero()) {
            throw new IllegalArgumentException("carebus:context lookback must be positive: " + option);
        }
        return asked.compareTo(maxLookback) > 0 ? maxLookback : asked;
    }
}
