package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.SingleValidationMessage;
import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.ModelId;
import io.carebus.api.model.Prediction;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.fhir.AlertResources;
import io.carebus.fhir.ResultResources;
import io.carebus.fhir.testing.SharedValidation;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** carebus:alert: one alert per episode, Flag raised/updated/ended, stable identifiers, durable episodes, no shadow alerts. */
class AlertStepTest {

    static final ModelId MODEL = new ModelId("sepsis-risk", "1.2.0", Sha256.of(new byte[32]));
    static final ModelCard.ModelOutput RISK = new ModelCard.ModelOutput("sepsis_risk", "probability", 0.3, "RiskAssessment",
            "http://snomed.info/sct|91302008");
    static final ModelCard CARD = new ModelCard("sepsis-risk", "1.2.0", "acme", "adult ICU sepsis risk", List.of(),
            List.of(new ModelCard.TabularInput("lactate", "http://loinc.org|2524-7", "mmol/L", "PT6H", "last", null)), null,
            List.of(new ModelCard.ModelOutput("sepsis_score", "score", null, "Observation", "urn:x|score"), RISK), "linear-shap",
            "synthetic");
    static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");
    static final Explanation EXPLANATION = new Explanation("linear-shap", -1.2, 0.4, List.of(
            new Explanation.FeatureContribution("lactate", 4.1, "mmol/L", 1.9),
            new Explanation.FeatureContribution("heart_rate", 112, "/min", 0.6),
            new Explanation.FeatureContribution("temperature", 36.9, "Cel", 0.1),
            new Explanation.FeatureContribution("age", 71, "a", -0.05)), null, 1, 0.02);

    @TempDir
    Path dir;
    final ResultResources results = ResultResources.forNode("node-a");
    final List<AuditRecord> audited = new CopyOnWriteArrayList<>();
    DataSource database;
    JdbcOutbox outbox;
    OutboxStep ehr;

    /** The engine database: embedded H2 here, PostgreSQL in the subclass. */
    protected DataSource open() throws Exception {
        return StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
    }

    @BeforeEach
    void setUp() throws Exception {
        database = open();
        outbox = new JdbcOutbox(database, Clock.systemUTC());
        ehr = new OutboxStep(new OutboxComponent(outbox, results, database));
    }

    AlertStep step(DataSource dataSource) {
        AuditTrail trail = record -> {
            audited.add(record);
            return audited.size();
        };
        return new AlertStep(p -> CARD, results, dataSource, "PractitionerRole/rapid-response", Clock.systemUTC(), () -> trail);
    }

    static Reference patient(String pseudonym) {
        return new Reference().setType("Patient").setIdentifier(new Identifier().setSystem("urn:carebus:pseudonym").setValue(pseudonym));
    }

    static Prediction prediction(String pseudonym, int minute, double risk, boolean shadow) {
        byte[] input = (pseudonym + "@" + minute).getBytes(StandardCharsets.UTF_8);
        return new Prediction(MODEL, pseudonym, T0.plus(Duration.ofMinutes(minute)), Sha256.of(java.util.Arrays.copyOf(input, 32)),
                Map.of("sepsis_risk", risk, "sepsis_score", risk * 10), shadow);
    }

    /** The exchange as carebus:fhir-results leaves it: its results as the body, the Prediction and explanation as headers. */
    Exchange afterResults(Prediction prediction) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        Reference subject = patient(prediction.subjectPseudonym());
        List<Resource> body = new ArrayList<>();
        body.add(results.modelDevice(MODEL, "acme"));
        body.add(results.observation(prediction, CARD.outputs().get(0), subject, EXPLANATION));
        body.add(results.riskAssessment(prediction, RISK, subject, EXPLANATION));
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(AlertStep.PREDICTION, prediction);
        exchange.getMessage().setHeader("CareBusInferenceOutcome", "PREDICTED");
        exchange.getMessage().setHeader("CareBusExplanation", EXPLANATION);
        return exchange;
    }

    /** One scored message through carebus:alert and then carebus:ehr (kept LOCAL): what the alert step appended. */
    Run score(AlertStep step, Prediction prediction, Map<String, String> options) {
        Exchange exchange = afterResults(prediction);
        step.process(exchange, options);
        List<?> body = exchange.getMessage().getBody(List.class);
        List<Flag> flags = body.stream().filter(Flag.class::isInstance).map(Flag.class::cast).toList();
        List<Communication> communications = body.stream().filter(Communication.class::isInstance).map(Communication.class::cast).toList();
        ehr.process(exchange, Map.of());
        return new Run(exchange.getMessage().getHeader(AlertStep.ALERT, String.class), flags, communications);
    }

    record Run(String kind, List<Flag> flags, List<Communication> communications) {
    }

    static final double[] SCORES = {0.2, 0.35, 0.5, 0.28, 0.2};

    List<Run> sequence(AlertStep step, String pseudonym) {
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < SCORES.length; i++) {
            runs.add(score(step, prediction(pseudonym, 5 * i, SCORES[i], false), Map.of()));
        }
        return runs;
    }

    List<OutboxEntry> outboxOf(String type) {
        return outbox.list(null, null, 1000).stream().filter(e -> e.resourceType().equals(type)).toList();
    }

    static String identifier(Resource resource) {
        Identifier id = resource instanceof Flag f ? f.getIdentifierFirstRep() : ((Communication) resource).getIdentifierFirstRep();
        return id.getSystem() + "|" + id.getValue();
    }

    static double risk(Flag flag) {
        return ((DecimalType) flag.getExtensionByUrl(AlertResources.RISK_URL).getValue()).getValueAsNumber().doubleValue();
    }

    @Test
    void oneEpisodeRaisesOnceUpdatesAndEndsBelowThresholdMinusHysteresis() {
        AlertStep step = step(database);
        List<Run> runs = sequence(step, "p-1");

        assertThat(runs).extracting(Run::kind).containsExactly("NONE", "RAISED", "UPDATED", "UPDATED", "ENDED");
        assertThat(runs.get(0).flags()).isEmpty();
        List<Flag> flags = runs.stream().flatMap(r -> r.flags().stream()).toList();
        assertThat(flags).hasSize(4);
        assertThat(flags).extracting(f -> f.getStatus().toCode()).containsExactly("active", "active", "active", "inactive");
        assertThat(flags).extracting(AlertStepTest::identifier).containsOnly(identifier(flags.get(0)));
        assertThat(flags).extracting(AlertStepTest::risk).containsExactly(0.35, 0.5, 0.28, 0.2);
        assertThat(flags).allSatisfy(f -> {
            assertThat(f.getPeriod().getStart()).isEqualTo(java.util.Date.from(T0.plus(Duration.ofMinutes(5))));
            assertThat(f.getSubject().getIdentifier().getValue()).isEqualTo("p-1");
            assertThat(f.getAuthor().getIdentifier().getValue()).isEqualTo("sepsis-risk@1.2.0");
            assertThat(f.getCode().getCodingFirstRep().getCode()).isEqualTo("91302008");
            assertThat(f.getExtensionByUrl(ResultResources.EXPLANATION_URL)).isNotNull();
        });
        assertThat(flags.get(2).hasPeriod() && flags.get(2).getPeriod().hasEnd()).as("still active at 0.28 (>= 0.3 - 0.05)").isFalse();
        assertThat(flags.get(3).getPeriod().getEnd()).isEqualTo(java.util.Date.from(T0.plus(Duration.ofMinutes(20))));

        List<Communication> communications = runs.stream().flatMap(r -> r.communications().stream()).toList();
        assertThat(communications).hasSize(1);
        assertThat(runs.get(1).communications()).hasSize(1);
        Communication message = communications.get(0);
        assertThat(message.getRecipientFirstRep().getReference()).isEqualTo("PractitionerRole/rapid-response");
        assertThat(message.getAbout()).extracting(r -> r.getType() + " " + r.getIdentifier().getValue())
                .contains("Flag " + flags.get(0).getIdentifierFirstRep().getValue());
        RiskAssessment scored = results.riskAssessment(prediction("p-1", 5, 0.35, false), RISK, patient("p-1"), EXPLANATION);
        assertThat(message.getAbout()).extracting(r -> r.getIdentifier().getValue()).contains(scored.getIdentifierFirstRep().getValue());
        String payload = message.getPayloadFirstRep().getContentStringType().getValue();
        assertThat(payload).contains("0.350", "threshold 0.3", "sepsis-risk@1.2.0", "lactate 4.1 mmol/L (+1.90)", "heart rate")
                .doesNotContain("p-1");

        assertThat(outboxOf("Communication")).hasSize(1);
        assertThat(outboxOf("Flag")).hasSize(1);
        assertThat(storedFlag().getStatus()).isEqualTo(Flag.FlagStatus.INACTIVE);
        assertThat(audited).extracting(AuditRecord::detail).filteredOn(d -> d.startsWith("alert "))
                .extracting(d -> d.substring(0, d.indexOf(':'))).containsExactly("alert raised", "alert updated", "alert updated", "alert ended");
    }

    private Flag storedFlag() {
        JdbcOutbox.Stored stored = outbox.search("Flag", null, null, 10).get(0);
        return (Flag) FhirContext.forR4Cached().newJsonParser().parseResource(new String(stored.body(), StandardCharsets.UTF_8));
    }

    @Test
    void replayingTheSameScoresGivesTheSameIdentifiersAndNoSecondCommunication() {
        AlertStep step = step(database);
        List<Run> first = sequence(step, "p-1");
        List<Run> replay = sequence(step, "p-1");

        assertThat(replay).extracting(Run::kind)
                .containsExactly("NONE", "REPLAYED_RAISE", "REPLAYED_UPDATE", "REPLAYED_UPDATE", "REPLAYED_END");
        for (int i = 0; i < SCORES.length; i++) {
            assertThat(replay.get(i).flags()).extracting(AlertStepTest::identifier)
                    .containsExactlyElementsOf(first.get(i).flags().stream().map(AlertStepTest::identifier).toList());
            assertThat(replay.get(i).flags()).extracting(f -> f.getStatus().toCode())
                    .containsExactlyElementsOf(first.get(i).flags().stream().map(f -> f.getStatus().toCode()).toList());
            assertThat(replay.get(i).communications()).extracting(AlertStepTest::identifier)
                    .containsExactlyElementsOf(first.get(i).communications().stream().map(AlertStepTest::identifier).toList());
        }
        assertThat(outboxOf("Communication")).hasSize(1);
        assertThat(outboxOf("Flag")).hasSize(1);
        assertThat(storedFlag().getStatus()).as("older revisions replayed do not overwrite the ended Flag").isEqualTo(Flag.FlagStatus.INACTIVE);

        // A new rise after the end is a new episode: a new Flag and one more Communication.
        Run again = score(step, prediction("p-1", 40, 0.6, false), Map.of());
        assertThat(again.kind()).isEqualTo("RAISED");
        assertThat(identifier(again.flags().get(0))).isNotEqualTo(identifier(first.get(1).flags().get(0)));
        assertThat(outboxOf("Communication")).hasSize(2);
    }

    @Test
    void hysteresisIsAnOptionAndEpisodesAreKeptPerPatient() {
        AlertStep step = step(database);
        Map<String, String> noHysteresis = Map.of("hysteresis", "0");
        assertThat(score(step, prediction("p-1", 0, 0.35, false), noHysteresis).kind()).isEqualTo("RAISED");
        assertThat(score(step, prediction("p-2", 0, 0.9, false), noHysteresis).kind()).isEqualTo("RAISED");
        assertThat(score(step, prediction("p-1", 5, 0.28, false), noHysteresis).kind()).isEqualTo("ENDED");
        assertThat(score(step, prediction("p-2", 5, 0.28, false), Map.of()).kind()).isEqualTo("UPDATED");
        assertThatThrownBy(() -> score(step, prediction("p-3", 0, 0.5, false), Map.of("hysteresis", "-1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> score(step, prediction("p-3", 0, 0.5, false), Map.of("output", "sepsis_score")))
                .hasMessageContaining("no threshold");
    }

    @Test
    void shadowPredictionsAndRunsWithoutAPredictionNeverAlert() {
        AlertStep step = step(database);
        Run shadow = score(step, prediction("p-1", 0, 0.9, true), Map.of());
        assertThat(shadow.kind()).isNull();
        assertThat(shadow.flags()).isEmpty();
        assertThat(shadow.communications()).isEmpty();

        Exchange insufficient = afterResults(prediction("p-1", 5, 0.9, false));
        insufficient.getMessage().setHeader("CareBusInferenceOutcome", "INSUFFICIENT_DATA");
        insufficient.getMessage().setBody("the HL7 message, untouched");
        step.process(insufficient, Map.of());
        assertThat(insufficient.getMessage().getBody()).isEqualTo("the HL7 message, untouched");
        assertThat(insufficient.getMessage().getHeader(AlertStep.ALERT)).isNull();

        Exchange noPrediction = afterResults(prediction("p-1", 6, 0.9, false));
        noPrediction.getMessage().removeHeader(AlertStep.PREDICTION);
        noPrediction.getMessage().removeHeader("CareBusInferenceOutcome");
        step.process(noPrediction, Map.of());
        assertThat(noPrediction.getMessage().getHeader(AlertStep.ALERT)).isNull();

        // Nothing was recorded either: the first real score above the threshold raises, it does not update.
        assertThat(score(step, prediction("p-1", 10, 0.9, false), Map.of()).kind()).isEqualTo("RAISED");
        assertThat(outboxOf("Communication")).hasSize(1);
    }

    @Test
    void episodesSurviveARestartOfTheComponent() throws Exception {
        Run raised = score(step(database), prediction("p-1", 0, 0.4, false), Map.of());
        assertThat(raised.kind()).isEqualTo("RAISED");

        // A new component on a new connection to the same database: what a bundle restart or an appliance restart gives.
        AlertStep restarted = step(open());
        Run updated = score(restarted, prediction("p-1", 5, 0.5, false), Map.of());
        assertThat(updated.kind()).isEqualTo("UPDATED");
        assertThat(updated.communications()).isEmpty();
        assertThat(identifier(updated.flags().get(0))).isEqualTo(identifier(raised.flags().get(0)));
        Run ended = score(step(open()), prediction("p-1", 10, 0.1, false), Map.of());
        assertThat(ended.kind()).isEqualTo("ENDED");
        assertThat(ended.flags().get(0).getStatus()).isEqualTo(Flag.FlagStatus.INACTIVE);
        assertThat(outboxOf("Communication")).hasSize(1);
    }

    @Test
    void flagAndCommunicationAreValidR4() {
        AlertStep step = step(database);
        Run raised = score(step, prediction("p-1", 0, 0.4, false), Map.of());
        Run ended = score(step, prediction("p-1", 5, 0.1, false), Map.of());
        List<Resource> all = new ArrayList<>(raised.flags());
        all.addAll(raised.communications());
        all.addAll(ended.flags());
        assertThat(all).hasSize(3);
        for (Resource resource : all) {
            List<SingleValidationMessage> errors = SharedValidation.get().errors(resource);
            assertThat(errors).as(() -> resource.fhirType() + ": " + errors.stream().map(m -> m.getLocationString() + " " + m.getMessage())
                    .toList()).isEmpty();
        }
    }
}
