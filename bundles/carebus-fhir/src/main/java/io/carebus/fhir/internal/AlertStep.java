package io.carebus.fhir.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.Prediction;
import io.carebus.camel.RouteStep;
import io.carebus.fhir.AlertResources;
import io.carebus.fhir.ResultResources;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code carebus:alert[?hysteresis=0.05][&recipient=...][&output=...]}, right after {@code carebus:fhir-results}: when
 * the score of a card output crosses its threshold, appends to the body's result list a {@code Flag} (active) and a
 * {@code Communication} to the recipient; once per episode of that subject, model and output (see {@link AlertPolicy}):
 * later scores of the episode update the Flag (same identifier), and the score that ends it sets it inactive.
 * Episodes are kept in the engine database. The Prediction comes from header {@value #PREDICTION}; shadow predictions
 * and runs without a prediction (INSUFFICIENT_DATA, ABSTAINED) never alert. Header {@value #ALERT} says what the score
 * did ({@link AlertPolicy.Kind}).
 */
@Component(service = RouteStep.class, configurationPid = "io.carebus.fhir")
public class AlertStep implements RouteStep {

    static final String PREDICTION = "CareBusPrediction";
    static final String ALERT = "CareBusAlert";
    static final double DEFAULT_HYSTERESIS = 0.05;
    private static final Set<String> BASIS_TYPES = Set.of("RiskAssessment", "Observation", "Condition", "DiagnosticReport");

    private final Function<Prediction, ModelCard> cards;
    private final ResultResources results;
    private final AlertResources alerts;
    private final AlertPolicy policy;
    private final String defaultRecipient;
    private final Supplier<AuditTrail> audit;

    @org.osgi.service.component.annotations.Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile AuditTrail auditTrail;

    @Activate
    public AlertStep(FhirConfig config, @org.osgi.service.component.annotations.Reference ModelRegistry registry,
                     @org.osgi.service.component.annotations.Reference OutboxComponent outbox) {
        this(p -> {
            try (ModelLease lease = registry.lease(p.model().id(), p.model().version())) {
                return lease.card();
            }
        }, outbox.results(), outbox.dataSource(), config.alert_recipient(), Clock.systemUTC(), null);
    }

    AlertStep(Function<Prediction, ModelCard> cards, ResultResources results, DataSource dataSource, String defaultRecipient, Clock clock,
              Supplier<AuditTrail> audit) {
        this.cards = cards;
        this.results = results;
        this.alerts = new AlertResources(results);
        this.policy = new AlertPolicy(new AlertEpisodes(dataSource, clock));
        this.defaultRecipient = defaultRecipient == null ? "" : defaultRecipient.strip();
        this.audit = audit != null ? audit : () -> auditTrail;
    }

    @Override
    public String name() {
        return "alert";
    }

    @Override
    public Set<String> options() {
        return Set.of("hysteresis", "recipient", "output");
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        Message in = exchange.getMessage();
        Prediction prediction = in.getHeader(PREDICTION, Prediction.class);
        String outcome = in.getHeader("CareBusInferenceOutcome", String.class);
        if (prediction == null || prediction.shadow() || outcome != null && !"PREDICTED".equals(outcome)) {
            return;
        }
        if (!(in.getBody() instanceof Collection<?> body) || !body.stream().allMatch(Resource.class::isInstance)) {
            throw new IllegalArgumentException("carebus:alert goes right after carebus:fhir-results: it needs its list of results as the body");
        }
        ModelCard card = cards.apply(prediction);
        ModelCard.ModelOutput output = output(card, options.get("output"));
        if (output == null) {
            return;
        }
        Double risk = prediction.outputs().get(output.label());
        if (risk == null || !Double.isFinite(risk)) {
            throw new IllegalArgumentException("prediction of " + prediction.model() + " has no value for output " + output.label());
        }
        List<Resource> resources = new ArrayList<>(body.stream().map(Resource.class::cast).toList());
        Resource basis = basis(resources, output);
        Reference subject = subjectOf(basis, in);
        AlertEpisodes.Key key = new AlertEpisodes.Key(keyOf(subject), prediction.model().id(), output.label());
        AlertPolicy.Decision decision = policy.apply(key, prediction.at(), risk, output.threshold(), hysteresis(options.get("hysteresis")));
        in.setHeader(ALERT, decision.kind().name());
        if (decision.kind() == AlertPolicy.Kind.NONE) {
            return;
        }
        Reference basisReference = basis == null ? null : results.engineIdentifierOf(basis)
                .map(id -> ResultResources.referenceTo(basis, id)).orElse(null);
        AlertResources.Alert alert = new AlertResources.Alert(decision.episode(), prediction, output, risk, subject, basisReference,
                in.getHeader("CareBusExplanation", Explanation.class));
        resources.add(alerts.flag(alert, decision.started(), decision.ended()));
        if (decision.kind().raise()) {
            resources.add(alerts.communication(alert, recipient(options.getOrDefault("recipient", defaultRecipient))));
        }
        in.setBody(resources);
        audit(exchange, prediction, output, risk, decision);
    }

    private static ModelCard.ModelOutput output(ModelCard card, String named) {
        if (named == null || named.isBlank()) {
            return card.outputs().stream().filter(o -> o.threshold() != null).findFirst().orElse(null);
        }
        ModelCard.ModelOutput output = card.outputs().stream().filter(o -> o.label().equals(named.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model " + card.id() + " has no output " + named));
        if (output.threshold() == null) {
            throw new IllegalArgumentException("output " + named + " of model " + card.id() + " has no threshold to alert on");
        }
        return output;
    }

    static double hysteresis(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_HYSTERESIS;
        }
        double h;
        try {
            h = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hysteresis must be a number, not " + text);
        }
        if (!Double.isFinite(h) || h < 0) {
            throw new IllegalArgumentException("hysteresis must be zero or more, not " + text);
        }
        return h;
    }

    /** The result of the alerting output: the one with its code, else the first scored result. */
    private static Resource basis(List<Resource> resources, ModelCard.ModelOutput output) {
        List<Resource> candidates = resources.stream().filter(r -> BASIS_TYPES.contains(r.fhirType())).toList();
        String code = output.code() == null ? null : output.code().contains("|") ? output.code() : "urn:carebus:output|" + output.code();
        return candidates.stream().filter(r -> code != null && code.equals(OutboxStep.code(r))).findFirst()
                .orElse(candidates.isEmpty() ? null : candidates.get(0));
    }

    private static Reference subjectOf(Resource basis, Message in) {
        if (basis != null && basis.getNamedProperty("subject") != null && basis.getNamedProperty("subject").hasValues()
                && basis.getNamedProperty("subject").getValues().get(0) instanceof Reference ref) {
            return ref.copy();
        }
        Reference given = reference(in.getHeader(ResultsStep.SUBJECT_REFERENCE, String.class));
        if (given == null) {
            throw new IllegalArgumentException("carebus:alert cannot tell whose alert this is: no result in the body names a subject "
                    + "and header " + ResultsStep.SUBJECT_REFERENCE + " is not set");
        }
        return given.setType(given.hasReference() ? null : "Patient");
    }

    private static String keyOf(Reference subject) {
        String key = ResultResources.subjectKey(subject);
        // The column holds 255 characters; a longer reference is kept as its hash (still one key per subject).
        return key.length() <= 255 ? key : "sha256:" + ResultResources.stableValue(key);
    }

    /** {@code Type/id} as a reference, {@code system|value} as an identifier, blank as none. */
    static Reference reference(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        int bar = t.indexOf('|');
        return bar > 0 ? new Reference().setIdentifier(new Identifier().setSystem(t.substring(0, bar)).setValue(t.substring(bar + 1)))
                : new Reference(t);
    }

    private static Reference recipient(String text) {
        return reference(text);
    }

    private void audit(Exchange exchange, Prediction prediction, ModelCard.ModelOutput output, double risk, AlertPolicy.Decision decision) {
        AuditTrail trail = audit.get();
        if (trail == null) {
            return;
        }
        String what = switch (decision.kind()) {
            case RAISED -> "alert raised";
            case UPDATED -> "alert updated";
            case ENDED -> "alert ended";
            default -> "alert replayed (" + decision.kind().name().toLowerCase(Locale.ROOT) + "), episode unchanged";
        };
        List<String> entities = new ArrayList<>(List.of("Flag/" + alerts.flagIdentifier(decision.episode()).getValue()));
        if (decision.kind().raise()) {
            entities.add("Communication/" + alerts.communicationIdentifier(decision.episode()).getValue());
        }
        // Failing here fails the exchange: an alert goes out audited or not at all (a reprocessed message replays it).
        trail.append(new AuditRecord(Instant.now(), trail.nodeId(), "route:" + exchange.getFromRouteId(), null, AuditAction.EMIT,
                AuditRecord.Outcome.SUCCESS, entities, exchange.getFromRouteId(), prediction.model(), prediction.inputHash(), null,
                String.format(Locale.ROOT, "%s: episode %s, output %s, risk %.3f, threshold %s", what, decision.episode(), output.label(),
                        risk, output.threshold())));
    }
}
