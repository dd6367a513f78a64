package io.carebus.context.internal;

import static io.carebus.context.internal.ClinicalFixtures.EVENT;
import static io.carebus.context.internal.ClinicalFixtures.LOINC;
import static io.carebus.context.internal.ClinicalFixtures.MRN;
import static io.carebus.context.internal.ClinicalFixtures.MRN_SYSTEM;
import static io.carebus.context.internal.ClinicalFixtures.bundle;
import static io.carebus.context.internal.ClinicalFixtures.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.api.model.Prediction;
import io.carebus.context.ContextHeaders;
import io.carebus.deid.FhirDeidentifier;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.PseudonymDomain;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.internal.InferStep;
import io.carebus.models.tools.DemoModels;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The patient context on the engine's real schema: three messages make one timeline, the sepsis-risk model (the real
 * bundle the appliance ships) gets the same features and input with and without de-identification, and the timeline
 * keeps its promises on redelivery, corrections, cancellations, retention and lookback.
 */
class PatientContextTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static ModelRegistries.Standalone models;
    private static DefaultCamelContext camel;

    @TempDir
    Path dir;
    private DataSource database;
    private MutableClock clock;
    private ContextStep step;

    @BeforeAll
    static void openModels() throws Exception {
        models = ModelRegistries.open(DemoModels.trustStore(), DemoModels.TRUST_PASSWORD, List.of(DemoModels.sepsisRiskJar()), 1, 1);
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void closeModels() throws Exception {
        models.close();
        camel.close();
    }

    @BeforeEach
    void open() throws Exception {
        database = database();
        clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
        step = new ContextStep(database, 30, Duration.ofDays(30), 2000, clock, false);
    }

    @AfterEach
    void close() {
        StoreDatabases.close(database);
    }

    /** The engine's database with the store's migrations: embedded H2 here, PostgreSQL in the subclass. */
    protected DataSource database() throws Exception {
        return StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 4);
    }

    private Exchange context(String fhir, String subject, Map<String, String> options) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(fhir);
        if (subject != null) {
            exchange.getMessage().setHeader(ContextHeaders.SUBJECT, subject);
        }
        step.process(exchange, options);
        return exchange;
    }

    private Exchange context(String fhir) throws Exception {
        return context(fhir, null, Map.of());
    }

    private static Exchange infer(Exchange exchange) {
        new InferStep(models, null).process(exchange, Map.of("model", "sepsis-risk"));
        return exchange;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double> features(Exchange exchange) {
        assertThat(exchange.getMessage().getHeader("CareBusInferenceOutcome"))
                .as("missing: %s", exchange.getMessage().getHeader("CareBusMissingFeatures")).isEqualTo("PREDICTED");
        return exchange.getMessage().getHeader("CareBusFeatures", Map.class);
    }

    private static List<JsonNode> observations(Exchange exchange) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(exchange.getMessage().getHeader(ContextHeaders.TIMELINE, String.class)).path("entry")) {
            if ("Observation".equals(entry.path("resource").path("resourceType").asText())) {
                found.add(entry.path("resource"));
            }
        }
        return found;
    }

    private static List<Double> values(Exchange exchange, String loinc) throws Exception {
        return observations(exchange).stream().filter(o -> o.path("code").path("coding").path(0).path("code").asText().equals(loinc))
                .map(o -> o.path("valueQuantity").path("value").asDouble()).toList();
    }

    @Test
    void threeMessagesOfOnePatientGiveOneTimelineAndEveryFeatureAsOfTheEventsOwnTime() throws Exception {
        Exchange adt = context(ClinicalFixtures.adt(MRN, "1956-03-14"));
        assertThat(adt.getMessage().getHeader(ContextHeaders.AS_OF)).as("an ADT carries no observation").isNull();
        assertThat(adt.getMessage().getHeader(ContextHeaders.TIMELINE)).isNull();
        Exchange vitals = context(ClinicalFixtures.vitals(MRN));
        assertThat(vitals.getMessage().getHeader(ContextHeaders.CODES, Set.class)).contains(LOINC + "|8867-4", LOINC + "|8480-6");
        Exchange labs = context(ClinicalFixtures.labs(MRN));

        assertThat(labs.getMessage().getHeader(ContextHeaders.AS_OF, Instant.class)).as("the event's time, not the clock's").isEqualTo(EVENT);
        assertThat(labs.getMessage().getHeader(ContextHeaders.CODES, Set.class))
                .containsExactlyInAnyOrder(LOINC + "|6690-2", LOINC + "|2524-7");
        JsonNode timeline = JSON.readTree(labs.getMessage().getHeader(ContextHeaders.TIMELINE, String.class));
        assertThat(timeline.path("type").asText()).isEqualTo("collection");
        JsonNode patient = timeline.path("entry").path(0).path("resource");
        assertThat(patient.path("resourceType").asText()).isEqualTo("Patient");
        assertThat(patient.path("birthDate").asText()).isEqualTo("1956-03-14");
        assertThat(patient.toString()).doesNotContain(MRN).doesNotContain("Doe");
        assertThat(values(labs, "8867-4")).containsExactly(104.0, 121.0);

        Map<String, Double> features = features(infer(labs));
        assertThat(features).containsOnlyKeys("age", "heart_rate_max", "lactate_last", "resp_rate_max", "sbp_min", "temperature_max", "wbc_last");
        assertThat(features).containsEntry("age", 70.0).containsEntry("heart_rate_max", 121.0).containsEntry("lactate_last", 3.2)
                .containsEntry("resp_rate_max", 27.0).containsEntry("sbp_min", 92.0).containsEntry("wbc_last", 15.4);
        assertThat(features.get("temperature_max")).isCloseTo(38.888888, within(1e-4));
        assertThat(labs.getMessage().getBody()).isInstanceOf(Prediction.class);
        @SuppressWarnings("unchecked")
        List<String> basis = labs.getMessage().getHeader("CareBusFeatureBasis", List.class);
        assertThat(basis).contains("urn:oid:1.2.3.4.5.filler|" + MRN + "-hr-2", "urn:oid:1.2.3.4.5.filler|" + MRN + "-lac-1",
                "urn:oid:1.2.3.4.5.filler|" + MRN + "-bp-1").doesNotContain("urn:oid:1.2.3.4.5.filler|" + MRN + "-hr-1");
    }

    @Test
    void withAModelTheTimelineHoldsOnlyWhatItsCardReadsAndGivesTheSameScore() throws Exception {
        step.registry = models;
        Map<String, String> sepsis = Map.of("model", "sepsis-risk");
        context(ClinicalFixtures.adt(MRN, "1956-03-14"), null, sepsis);
        // Older than every window of the card (heart rate 6 h, lactate 24 h) but inside the 2-day lookback.
        context(bundle(ClinicalFixtures.patient(MRN, "1956-03-14", "male"),
                observation("hr-old", "8867-4", EVENT.minus(Duration.ofHours(30)), 150, "/min", "final"),
                observation("lac-old", "2524-7", EVENT.minus(Duration.ofHours(30)), 9.9, "mmol/L", "final"),
                observation("chol-1", "2093-3", EVENT.minus(Duration.ofHours(1)), 195, "mg/dL", "final")), null, sepsis);
        context(ClinicalFixtures.vitals(MRN), null, sepsis);
        Exchange byCard = context(ClinicalFixtures.labs(MRN), null, sepsis);
        Exchange wholeLookback = context(ClinicalFixtures.labs(MRN), null, Map.of("model", "sepsis-risk", "lookback", "P2D"));

        assertThat(values(wholeLookback, "8867-4")).as("the whole lookback").contains(150.0);
        assertThat(values(wholeLookback, "2093-3")).containsExactly(195.0);
        assertThat(values(byCard, "8867-4")).as("only the card's 6 h window").containsExactly(104.0, 121.0);
        assertThat(values(byCard, "2524-7")).doesNotContain(9.9);
        assertThat(values(byCard, "2093-3")).as("a code the card does not read").isEmpty();
        Map<String, Double> cardFeatures = features(infer(byCard));
        assertThat(cardFeatures).hasSize(7).isEqualTo(features(infer(wholeLookback)));
        assertThat(byCard.getMessage().getHeader("CareBusInputSha256")).isEqualTo(wholeLookback.getMessage().getHeader("CareBusInputSha256"));
    }

    @Test
    void withAndWithoutDeidentificationTheSepsisModelGetsTheSameFeaturesAndTheSameInput() throws Exception {
        List<String> messages = List.of(ClinicalFixtures.adt(MRN, "1956-03-14"), ClinicalFixtures.vitals(MRN), ClinicalFixtures.labs(MRN));
        Exchange plain = null;
        for (String message : messages) {
            plain = context(message);
        }
        FhirDeidentifier deidentifier = new FhirDeidentifier(new PseudonymDomain("k1", SECRET, 365));
        Exchange deidentified = null;
        int shift = 0;
        for (String message : messages) {
            FhirDeidentifier.Result result = deidentifier.deidentify(FHIR.newJsonParser().parseResource(Bundle.class, message), Set.of(), List.of());
            String json = FHIR.newJsonParser().encodeResourceToString(result.resource());
            assertThat(json).doesNotContain(MRN).doesNotContain("1956-03-14");
            shift = result.shiftDays();
            deidentified = context(json, result.pseudonym(), Map.of());
        }
        assertThat(shift).isNotZero();
        assertThat(deidentified.getMessage().getHeader(ContextHeaders.AS_OF, Instant.class))
                .as("as-of shifts with the patient's dates").isEqualTo(EVENT.plus(Duration.ofDays(shift)));

        Map<String, Double> withoutDeid = features(infer(plain));
        Map<String, Double> withDeid = features(infer(deidentified));
        assertThat(withDeid).hasSize(7).isEqualTo(withoutDeid);
        assertThat(deidentified.getMessage().getHeader("CareBusInputSha256")).isEqualTo(plain.getMessage().getHeader("CareBusInputSha256"));
        assertThat(((Prediction) deidentified.getMessage().getBody()).outputs())
                .isEqualTo(((Prediction) plain.getMessage().getBody()).outputs());
    }

    @Test
    void aPatientOver89IsNinetyWithAndWithoutDeidentification() throws Exception {
        int year = java.time.Year.now(ZoneOffset.UTC).getValue() - 95;
        String born = year + "-06-30";
        List<String> messages = List.of(ClinicalFixtures.adt("MRN-OLD", born), ClinicalFixtures.labs("MRN-OLD").replace("1956-03-14", born),
                ClinicalFixtures.vitals("MRN-OLD").replace("1956-03-14", born));
        Exchange plain = null;
        for (String message : messages) {
            plain = context(message);
        }
        FhirDeidentifier deidentifier = new FhirDeidentifier(new PseudonymDomain("k1", SECRET, 365));
        Exchange deidentified = null;
        for (String message : messages) {
            FhirDeidentifier.Result result = deidentifier.deidentify(FHIR.newJsonParser().parseResource(Bundle.class, message), Set.of(), List.of());
            deidentified = context(FHIR.newJsonParser().encodeResourceToString(result.resource()), result.pseudonym(), Map.of());
        }
        // the vitals came last: their latest observation is an hour before the labs'
        assertThat(features(infer(plain))).containsEntry("age", 90.0);
        assertThat(features(infer(deidentified))).containsEntry("age", 90.0);
    }

    @Test
    void onlyCodesTheModelReadsTriggerAScoreAndARedeliveryNeverDoes() throws Exception {
        step.registry = models;
        Map<String, String> sepsis = Map.of("model", "sepsis-risk");
        Exchange adt = context(ClinicalFixtures.adt(MRN, "1956-03-14"), null, sepsis);
        assertThat(adt.getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED)).as("ADT updates, does not score").isEqualTo(false);
        assertThat(context(ClinicalFixtures.vitals(MRN), null, sepsis).getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED)).isEqualTo(true);
        assertThat(context(ClinicalFixtures.vitals(MRN), null, sepsis).getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED))
                .as("the same message again changes nothing").isEqualTo(false);
        String cholesterol = bundle(observation("chol-1", "2093-3", EVENT, 195, "mg/dL", "final"));
        assertThat(context(cholesterol, null, sepsis).getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED))
                .as("a code sepsis-risk does not read").isEqualTo(false);
        Exchange demographics = context(ClinicalFixtures.adt(MRN, "1956-03-15"), null,
                Map.of("model", "sepsis-risk", "scoreOnDemographics", "true"));
        assertThat(demographics.getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED)).isEqualTo(true);
        assertThat(demographics.getMessage().getHeader(ContextHeaders.AS_OF, Instant.class))
                .as("an ADT scores as of the patient's latest observation").isNotNull();
        assertThat(context(ClinicalFixtures.labs(MRN)).getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED))
                .as("no model option, no verdict").isNull();
    }

    @Test
    void aMessageProcessedTwiceCountsOnce() throws Exception {
        context(ClinicalFixtures.vitals(MRN));
        Exchange again = context(ClinicalFixtures.vitals(MRN));
        assertThat(again.getMessage().getHeader(ContextHeaders.CODES, Set.class)).as("nothing changed").isEmpty();
        assertThat(values(again, "8867-4")).containsExactly(104.0, 121.0);
        assertThat(rows("context_observation")).isEqualTo(7); // 2 HR, RR, temperature, the BP panel's code, SBP, DBP
        // an Observation without identifier or id is known by subject, code and time
        String anonymous = bundle(observation("x", "8867-4", EVENT, 99, "/min", "final").replace(
                "\"identifier\": [{\"system\": \"urn:oid:1.2.3.4.5.filler\", \"value\": \"x\"}],", "")
                .replace("urn:uuid:6c1e0e4e-0000-4000-8000-000000000000", "Patient/p1"));
        context(anonymous);
        assertThat(context(anonymous).getMessage().getHeader(ContextHeaders.CODES, Set.class)).isEmpty();
        assertThat(rows("context_observation")).isEqualTo(8);
    }

    @Test
    void aCorrectionReplacesAndEnteredInErrorRemoves() throws Exception {
        String mrnPatient = ClinicalFixtures.patient(MRN, "1956-03-14", "male");
        context(bundle(mrnPatient, observation("lac-1", "2524-7", EVENT, 3.2, "mmol/L", "final")));
        Exchange amended = context(bundle(mrnPatient, observation("lac-1", "2524-7", EVENT, 2.1, "mmol/L", "amended")));
        assertThat(amended.getMessage().getHeader(ContextHeaders.CODES, Set.class)).containsExactly(LOINC + "|2524-7");
        assertThat(values(amended, "2524-7")).containsExactly(2.1);

        // a sender that gives the correction an identity of its own: it replaces what sits at that code and time
        Exchange corrected = context(bundle(mrnPatient, observation("lac-1-c", "2524-7", EVENT, 1.9, "mmol/L", "corrected")));
        assertThat(values(corrected, "2524-7")).containsExactly(1.9);

        Exchange removed = context(bundle(mrnPatient, observation("lac-1-c", "2524-7", EVENT, 1.9, "mmol/L", "entered-in-error")));
        assertThat(removed.getMessage().getHeader(ContextHeaders.CODES, Set.class)).containsExactly(LOINC + "|2524-7");
        assertThat(values(removed, "2524-7")).isEmpty();
        assertThat(rows("context_observation")).isZero();
    }

    @Test
    void retentionPrunesWhatTheEngineLearntLongAgoAndKeepsTheRest() throws Exception {
        context(ClinicalFixtures.adt(MRN, "1956-03-14"));
        context(ClinicalFixtures.vitals(MRN));
        clock.set(clock.instant().plus(Duration.ofDays(20)));
        context(ClinicalFixtures.labs("MRN-2"));
        assertThat(ContextRetention.run(step.store(), Duration.ofDays(30), clock)).isZero();

        clock.set(clock.instant().plus(Duration.ofDays(11)));
        assertThat(ContextRetention.run(step.store(), Duration.ofDays(30), clock)).isEqualTo(7 + 1 + 1);
        assertThat(rows("context_observation")).isEqualTo(2);
        assertThat(rows("context_encounter")).isZero();
        assertThat(rows("context_patient")).isEqualTo(1);
        Exchange after = context(ClinicalFixtures.labs(MRN));
        assertThat(values(after, "8867-4")).isEmpty();
    }

    @Test
    void theLookbackBoundsTheTimelineAndNoRouteCanWidenItPastTheMaximum() throws Exception {
        String p = ClinicalFixtures.patient(MRN, "1956-03-14", "male");
        context(bundle(p, observation("hr-40d", "8867-4", EVENT.minus(Duration.ofDays(40)), 80, "/min", "final"),
                observation("hr-3d", "8867-4", EVENT.minus(Duration.ofDays(3)), 90, "/min", "final"),
                observation("hr-1d", "8867-4", EVENT.minus(Duration.ofDays(1)), 100, "/min", "final")));
        String now = bundle(p, observation("hr-0", "8867-4", EVENT, 110, "/min", "final"),
                observation("hr-1m", "8867-4", EVENT.minus(Duration.ofMinutes(1)), 150, "/min", "final"));
        // oldest first
        assertThat(values(context(now), "8867-4")).containsExactly(100.0, 150.0, 110.0);
        assertThat(values(context(now, null, Map.of("lookback", "P5D")), "8867-4")).containsExactly(90.0, 100.0, 150.0, 110.0);
        assertThat(values(context(now, null, Map.of("lookback", "P365D")), "8867-4")).as("capped at max.lookback P30D")
                .containsExactly(90.0, 100.0, 150.0, 110.0);

        step = new ContextStep(database, 30, Duration.ofDays(30), 2, clock, false);
        assertThat(values(context(now, null, Map.of("lookback", "P30D")), "8867-4")).as("the latest max.timeline.entries")
                .containsExactly(150.0, 110.0);
        // a later observation of the patient is not in a timeline as of an earlier event
        context(bundle(p, observation("hr-next-day", "8867-4", EVENT.plus(Duration.ofDays(1)), 170, "/min", "final")));
        assertThat(values(context(now), "8867-4")).containsExactly(150.0, 110.0);
    }

    // ---- merges (ADT^A40): the survivor takes over the retired patient's timeline, once ----

    private Exchange hl7(String er7, PseudonymDomain domain, Map<String, String> options) throws Exception {
        Hl7Fixtures.Intake intake = Hl7Fixtures.intake(er7, domain);
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(er7);
        exchange.getMessage().setHeader(ContextHeaders.FHIR_BUNDLE, intake.fhir());
        intake.headers().forEach(exchange.getMessage()::setHeader);
        step.process(exchange, options);
        return exchange;
    }

    /** The subject a patient is filed under: its identifier, or after de-identification its pseudonym. */
    private static String subject(String mrn, PseudonymDomain domain) {
        PatientIdentifier id = new PatientIdentifier(Hl7Fixtures.HOSP, mrn);
        return domain == null ? id.system() + "|" + id.value() : domain.pseudonym(id);
    }

    /** What the tables hold, subject by subject, for a before/after comparison. */
    private List<String> snapshot() throws Exception {
        List<String> out = new ArrayList<>();
        for (String query : List.of("SELECT subject, obs_key, code, effective_millis, value_num, recorded_millis FROM context_observation",
                "SELECT subject, birth_date, gender, recorded_millis FROM context_patient",
                "SELECT subject, encounter_key, class_code, start_millis, end_millis FROM context_encounter",
                "SELECT subject, condition_key, code, onset_millis FROM context_condition")) {
            try (Connection c = database.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.append(rs.getString(i)).append(' ');
                    }
                    out.add(row.toString());
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    private int rows(String table, String subject) throws Exception {
        try (Connection c = database.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE subject = ?")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The timeline's observations as code, value and time moved back by {@code shiftDays} (real time). */
    private static List<String> realTimeline(Exchange exchange, int shiftDays) throws Exception {
        return observations(exchange).stream().map(o -> o.path("code").path("coding").path(0).path("code").asText() + "="
                + o.path("valueQuantity").path("value").asDouble() + "@"
                + Instant.parse(o.path("effectiveDateTime").asText()).minus(Duration.ofDays(shiftDays))).toList();
    }

    @ParameterizedTest(name = "de-identified: {0}")
    @ValueSource(booleans = {false, true})
    void anA40MovesTheRetiredPatientsTimelineToTheSurvivorOnceAndScoresTheSurvivorAgain(boolean deidentified) throws Exception {
        step.registry = models;
        Map<String, String> sepsis = Map.of("model", "sepsis-risk");
        PseudonymDomain domain = deidentified ? new PseudonymDomain("k1", SECRET, 365) : null;
        String a = subject("MRN-A", domain);
        String b = subject("MRN-B", domain);
        int shiftA = domain == null ? 0 : domain.dateShiftDays(new PatientIdentifier(Hl7Fixtures.HOSP, "MRN-A"));
        int shiftB = domain == null ? 0 : domain.dateShiftDays(new PatientIdentifier(Hl7Fixtures.HOSP, "MRN-B"));
        if (deidentified) {
            assertThat(shiftA).as("each patient has its own date shift, which the merge must reconcile").isNotEqualTo(shiftB);
        }
        Instant hr1 = EVENT.minus(Duration.ofHours(3));
        Instant lac = EVENT.minus(Duration.ofHours(2));
        Instant hr2 = EVENT.minus(Duration.ofHours(1));
        Instant rr = EVENT.minus(Duration.ofMinutes(50));
        Instant wbc = EVENT.minus(Duration.ofMinutes(30));
        // A: a heart rate and a lactate, no ADT (no demographics); B: admitted (birth date, sex, encounter), then vitals and labs
        Exchange ofA = hl7(Hl7Fixtures.oru("MRN-A", "FA1", "8867-4", 100, "/min", hr1, "2524-7", 2.0, "mmol/L", lac), domain, sepsis);
        hl7(Hl7Fixtures.adtA01("MRN-B", "19560314", "M", "V-B", EVENT.minus(Duration.ofDays(1))), domain, sepsis);
        Exchange ofB = hl7(Hl7Fixtures.oru("MRN-B", "FB1", "8867-4", 130, "/min", hr2, "9279-1", 28, "/min", rr,
                "6690-2", 15.4, "10*3/uL", wbc), domain, sepsis);
        assertThat(ofA.getMessage().getHeader(ContextHeaders.SUBJECT, String.class)).isEqualTo(deidentified ? a : null);
        assertThat(rows("context_observation", a)).isEqualTo(2);
        assertThat(rows("context_observation", b)).as("filed under %s", b).isEqualTo(3);
        assertThat(realTimeline(ofB, shiftB)).containsExactly("8867-4=130.0@" + hr2, "9279-1=28.0@" + rr, "6690-2=15.4@" + wbc);

        Exchange merge = hl7(Hl7Fixtures.adtA40("MRN-A", "MRN-B", EVENT.plus(Duration.ofMinutes(5))), domain, sepsis);

        assertThat(merge.getMessage().getHeader(ContextHeaders.CODES, Set.class)).as("what moved, so the survivor is scored again")
                .containsExactlyInAnyOrder(LOINC + "|8867-4", LOINC + "|9279-1", LOINC + "|6690-2");
        assertThat(merge.getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED)).isEqualTo(true);
        assertThat(merge.getMessage().getHeader(ContextHeaders.AS_OF, Instant.class)).as("the survivor's latest observation, in its dates")
                .isEqualTo(wbc.plus(Duration.ofDays(shiftA)));
        // both histories, in the survivor's dates (after de-identification B's came shifted by B's offset)
        assertThat(realTimeline(merge, shiftA)).containsExactly("8867-4=100.0@" + hr1, "2524-7=2.0@" + lac, "8867-4=130.0@" + hr2,
                "9279-1=28.0@" + rr, "6690-2=15.4@" + wbc);
        JsonNode survivor = JSON.readTree(merge.getMessage().getHeader(ContextHeaders.TIMELINE, String.class)).path("entry").path(0).path("resource");
        assertThat(survivor.path("birthDate").asText()).as("demographics the survivor lacked")
                .isEqualTo(java.time.LocalDate.of(1956, 3, 14).plusDays(shiftA).toString());
        assertThat(survivor.path("gender").asText()).isEqualTo("male");
        assertThat(rows("context_observation", a)).isEqualTo(5);
        assertThat(rows("context_encounter", a)).isEqualTo(1);
        for (String table : List.of("context_observation", "context_patient", "context_encounter", "context_condition")) {
            assertThat(rows(table, b)).as("%s of the retired patient", table).isZero();
        }

        List<String> before = snapshot();
        Exchange again = hl7(Hl7Fixtures.adtA40("MRN-A", "MRN-B", EVENT.plus(Duration.ofMinutes(5))), domain, sepsis);
        assertThat(again.getMessage().getHeader(ContextHeaders.CODES, Set.class)).as("a redelivered merge moves nothing").isEmpty();
        assertThat(again.getMessage().getHeader(ContextHeaders.SCORE_TRIGGERED)).isEqualTo(false);
        assertThat(snapshot()).as("and changes nothing").isEqualTo(before);
        Instant later = EVENT.plus(Duration.ofMinutes(10));
        assertThat(realTimeline(hl7(Hl7Fixtures.oru("MRN-A", "FA2", "8867-4", 110, "/min", later), domain, sepsis), shiftA))
                .as("a later message of the survivor sees both histories").containsExactly("8867-4=100.0@" + hr1, "2524-7=2.0@" + lac,
                        "8867-4=130.0@" + hr2, "9279-1=28.0@" + rr, "6690-2=15.4@" + wbc, "8867-4=110.0@" + later);
    }

    // ---- Conditions of both categories (issue 23): problem-list items and encounter diagnoses ----

    private static String condition(String category, String onset) {
        return """
                {"resource": {"resourceType": "Condition",
                  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "%s"}]}],
                  "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "A41.9"}]},
                  "onsetDateTime": "%s"}}
                """.formatted(category, onset);
    }

    @Test
    void aProblemListItemAndAnEncounterDiagnosisOfTheSameCodeAreBothRecorded() throws Exception {
        String a = ClinicalFixtures.MRN_SYSTEM + "|MRN-A";
        // no identifiers (a FHIR sender): before, both had the identity "subject + code" and the second replaced the first
        context(bundle(ClinicalFixtures.patient("MRN-A", "1960-01-01", "female"),
                condition("problem-list-item", "2026-10-01T08:00:00Z"),
                condition("encounter-diagnosis", "2026-11-09T10:00:00Z")));
        assertThat(rows("context_condition", a)).isEqualTo(2);
        // the same message again changes nothing
        context(bundle(ClinicalFixtures.patient("MRN-A", "1960-01-01", "female"),
                condition("problem-list-item", "2026-10-01T08:00:00Z"),
                condition("encounter-diagnosis", "2026-11-09T10:00:00Z")));
        assertThat(rows("context_condition", a)).isEqualTo(2);
    }

    @Test
    void dg1DiagnosesAndPrbProblemsFromHl7AreBothRecorded() throws Exception {
        Instant at = Instant.parse("2026-11-09T10:00:00Z");
        String adt = Hl7Fixtures.adtA01("MRN-7", "19600101", "F", "V-7", at)
                + "\rDG1|1||I10^Essential hypertension^I10||" + Hl7Fixtures.ts(at) + "|A";
        String ppr = "MSH|^~\\&|EHR|HOSP|||" + Hl7Fixtures.ts(at) + "||PPR^PC1^PPR_PC1|PC1-7|P|2.5\r"
                + "PID|1||MRN-7^^^HOSP^MR||Doe^Pat\r"
                + "PRB|AD|" + Hl7Fixtures.ts(at) + "|E11.9^Type 2 diabetes mellitus^I10|P-7-1||||" + Hl7Fixtures.ts(at);
        hl7(adt, null, Map.of());
        hl7(ppr, null, Map.of());
        String subject = subject("MRN-7", null);
        List<String> codes = new ArrayList<>();
        try (Connection c = database.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT code FROM context_condition WHERE subject = ? ORDER BY code")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    codes.add(rs.getString(1));
                }
            }
        }
        assertThat(codes).as("the encounter diagnosis (DG1) and the problem-list item (PRB)")
                .containsExactly("http://hl7.org/fhir/sid/icd-10|E11.9", "http://hl7.org/fhir/sid/icd-10|I10");
    }

    @Test
    void aMergeKeepsWhatTheSurvivorHoldsAndMovesOnlyWhatItLacks() throws Exception {
        String a = ClinicalFixtures.MRN_SYSTEM + "|MRN-A";
        String b = ClinicalFixtures.MRN_SYSTEM + "|MRN-B";
        context(bundle(ClinicalFixtures.patient("MRN-A", "1960-01-01", "female"),
                observation("shared-1", "8867-4", EVENT, 90, "/min", "final")));
        context(bundle(ClinicalFixtures.patient("MRN-B", "1950-05-05", "male"),
                observation("shared-1", "8867-4", EVENT, 95, "/min", "final"),
                observation("b-only", "9279-1", EVENT, 20, "/min", "final"),
                """
                {"resource": {"resourceType": "Condition", "identifier": [{"system": "urn:x", "value": "cond-b"}],
                  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91302008"}]},
                  "onsetDateTime": "2026-11-09T10:00:00Z"}}
                """));
        // a FHIR sender's merge: the surviving Patient replaces the other, named by identifier
        Exchange merge = context(bundle("""
                {"resource": {"resourceType": "Patient",
                  "identifier": [{"system": "%s", "value": "MRN-A"}],
                  "link": [{"type": "replaces", "other": {"identifier": {"system": "%s", "value": "MRN-B"}}},
                           {"type": "seealso", "other": {"identifier": {"system": "%s", "value": "MRN-C"}}}]}}
                """.formatted(ClinicalFixtures.MRN_SYSTEM, ClinicalFixtures.MRN_SYSTEM, ClinicalFixtures.MRN_SYSTEM)));
        assertThat(merge.getMessage().getHeader(ContextHeaders.CODES, Set.class)).as("only B's own observation moved")
                .containsExactly(LOINC + "|9279-1");
        assertThat(values(merge, "8867-4")).as("the survivor's version of an observation both held").containsExactly(90.0);
        assertThat(values(merge, "9279-1")).containsExactly(20.0);
        assertThat(rows("context_condition", a)).isEqualTo(1);
        assertThat(rows("context_observation", b) + rows("context_condition", b) + rows("context_patient", b)).isZero();
        JsonNode patient = JSON.readTree(merge.getMessage().getHeader(ContextHeaders.TIMELINE, String.class)).path("entry").path(0).path("resource");
        assertThat(patient.path("birthDate").asText()).as("the survivor's own demographics win").isEqualTo("1960-01-01");
        assertThat(patient.path("gender").asText()).isEqualTo("female");
    }

    @Test
    void anMrgNamingTheSurvivorOrAnotherLinkTypeMovesNothing() throws Exception {
        context(ClinicalFixtures.vitals("MRN-A"));
        context(ClinicalFixtures.vitals("MRN-C"));
        List<String> before = snapshot();
        Exchange self = context(bundle("""
                {"resource": {"resourceType": "Patient", "identifier": [{"system": "%1$s", "value": "MRN-A"}],
                  "link": [{"type": "replaces", "other": {"identifier": {"system": "%1$s", "value": "MRN-A"}}},
                           {"type": "seealso", "other": {"identifier": {"system": "%1$s", "value": "MRN-C"}}}]}}
                """.formatted(ClinicalFixtures.MRN_SYSTEM)));
        assertThat(self.getMessage().getHeader(ContextHeaders.CODES, Set.class)).isEmpty();
        assertThat(self.getMessage().getHeader(ContextHeaders.AS_OF)).isNull();
        assertThat(snapshot()).isEqualTo(before);
    }

    private int rows(String table) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A clock the test moves; read by the step on each message and by the retention run. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
