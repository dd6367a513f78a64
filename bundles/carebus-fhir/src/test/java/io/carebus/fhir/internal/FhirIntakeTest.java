package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.StoredMessage;
import io.carebus.fhir.testing.SharedValidation;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The FHIR intake against the real store and the HAPI validator: what is accepted, what is refused and how. */
class FhirIntakeTest {

    private static final String OBSERVATION = """
            {"resourceType":"Observation","status":"final",
             "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
             "subject":{"reference":"Patient/example"},"effectiveDateTime":"2026-11-27T10:00:00Z",
             "valueQuantity":{"value":88,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}""";

    @TempDir
    Path dir;
    private CloseableMessageStore store;
    private FhirIntake intake;
    private final List<Long> accepted = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        intake = new FhirIntake(FhirContext.forR4Cached(), SharedValidation.get(), store, Clock.systemUTC(), 2 * 1024 * 1024,
                () -> null, accepted::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    private FhirIntake.Answer post(String body, String contentType, String pathType) {
        return intake.handle(body.getBytes(StandardCharsets.UTF_8), contentType, pathType, "10.0.0.9", "engineer1", null);
    }

    private static String diagnostics(FhirIntake.Answer answer) {
        return answer.outcome().getIssue().stream().map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).toList().toString();
    }

    @Test
    void aValidObservationIsStoredBeforeTheAnswerAndQueued() {
        FhirIntake.Answer answer = post(OBSERVATION, "application/fhir+json", "Observation");
        assertThat(answer.status()).as(diagnostics(answer)).isEqualTo(202);
        StoredMessage stored = store.find(answer.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(stored.message().protocol()).isEqualTo("FHIR");
        assertThat(stored.message().messageType()).isEqualTo("Observation");
        assertThat(new String(stored.message().payload(), StandardCharsets.UTF_8)).isEqualTo(OBSERVATION);
        assertThat(accepted).containsExactly(answer.messageId());
        assertThat(answer.outcome().getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.INFORMATION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"patient-1", "patient-2", "patient-3"})
    void syntheaPatientBundlesAreAccepted(String name) throws Exception {
        String bundle;
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/synthea/" + name + ".json.gz"))) {
            bundle = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        FhirIntake.Answer answer = post(bundle, "application/fhir+json", null);
        assertThat(answer.status()).as(diagnostics(answer)).isEqualTo(202);
        assertThat(store.find(answer.messageId()).orElseThrow().message().messageType()).isEqualTo("Bundle^transaction");
    }

    @Test
    void xmlIsAcceptedToo() {
        String xml = """
                <Observation xmlns="http://hl7.org/fhir"><status value="final"/>
                <code><coding><system value="http://loinc.org"/><code value="8310-5"/></coding></code>
                <subject><reference value="Patient/example"/></subject>
                <valueQuantity><value value="38.2"/><unit value="Cel"/><system value="http://unitsofmeasure.org"/><code value="Cel"/></valueQuantity>
                </Observation>""";
        FhirIntake.Answer answer = post(xml, "application/fhir+xml", null);
        assertThat(answer.status()).as(diagnostics(answer)).isEqualTo(202);
    }

    @Test
    void brokenJsonIs400AndKeptForReprocessing() {
        FhirIntake.Answer answer = post("{\"resourceType\":\"Observation\",\"status\":", "application/fhir+json", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("cannot parse the JSON");
        StoredMessage kept = store.find(answer.messageId()).orElseThrow();
        assertThat(kept.status()).isEqualTo(MessageStatus.ERROR);
        assertThat(kept.error()).contains("400");
        assertThat(accepted).isEmpty();
    }

    @Test
    void anUnknownResourceTypeIs400() {
        FhirIntake.Answer answer = post("{\"resourceType\":\"Observashun\",\"status\":\"final\"}", "application/json", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("Observashun");
    }

    @Test
    void aTypeOtherThanTheUrlNamesIs400() {
        FhirIntake.Answer answer = post(OBSERVATION, "application/fhir+json", "Patient");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("the URL names Patient but the body is a Observation");
    }

    @Test
    void aCodeOutsideARequiredValueSetIsRefusedNamingIt() {
        // HAPI's strict parser already refuses an unknown enumerated code (400, as unparseable)...
        FhirIntake.Answer answer = post(OBSERVATION.replace("\"status\":\"final\"", "\"status\":\"finished\""), "application/fhir+json", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("finished");
        // ...the validator a code outside a required value set of a coded element (422, naming where).
        FhirIntake.Answer invalid = post(OBSERVATION.replace("\"effectiveDateTime\"", "\"interpretation\":[{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation\",\"code\":\"NOPE\"}]}],\"effectiveDateTime\""),
                "application/fhir+json", null);
        assertThat(invalid.status()).as(diagnostics(invalid)).isEqualTo(422);
        assertThat(invalid.outcome().getIssue()).anySatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
            assertThat(issue.getDiagnostics()).contains("NOPE");
        });
        assertThat(store.find(invalid.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.ERROR);
    }

    @Test
    void aMissingRequiredElementIs422() {
        FhirIntake.Answer answer = post("{\"resourceType\":\"Observation\",\"status\":\"final\"}", "application/fhir+json", null);
        assertThat(answer.status()).isEqualTo(422);
        assertThat(diagnostics(answer)).contains("Observation.code");
    }

    @Test
    void anUnknownElementIs400() {
        FhirIntake.Answer answer = post(OBSERVATION.replace("\"status\":\"final\"", "\"status\":\"final\",\"colour\":\"red\""),
                "application/fhir+json", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("colour");
    }

    @Test
    void anXmlBombOrExternalEntityIsRefusedBeforeParsing() {
        String bomb = """
                <?xml version="1.0"?>
                <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
                <Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="&lol3;"/></code></Observation>""";
        FhirIntake.Answer answer = post(bomb, "application/fhir+xml", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(diagnostics(answer)).contains("DOCTYPE");
        String xxe = """
                <?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                <Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="&xxe;"/></code></Observation>""";
        assertThat(post(xxe, "application/xml", null).status()).isEqualTo(400);
    }

    @Test
    void anOversizeBodyIs413AndOnlyA64KbPrefixIsKeptMarkedTruncated() {
        byte[] body = new byte[intake.maxBytes() + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        FhirIntake.Answer answer = intake.handle(body, "application/fhir+json", null, "10.0.0.9", "engineer1", null);
        assertThat(answer.status()).isEqualTo(413);
        assertThat(diagnostics(answer)).contains("max " + intake.maxBytes());
        var stored = store.find(answer.messageId()).orElseThrow();
        assertThat(stored.message().payload()).hasSize(FhirIntake.REFUSED_PREFIX_BYTES);
        assertThat(stored.error()).startsWith("413").contains(FhirIntake.TRUNCATED);
    }

    @Test
    void aDeclaredLengthOverTheCapIs413AndNothingIsStored() {
        var all = new io.carebus.api.store.MessageQuery(null, null, null, null, null, null, null, null, 1000);
        int before = store.search(all).size();
        FhirIntake.Answer answer = intake.refuseUnread(intake.maxBytes() + 1L, "10.0.0.9", "engineer1");
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.messageId()).isEqualTo(-1);
        assertThat(diagnostics(answer)).contains("not read");
        assertThat(store.search(all)).hasSize(before);
    }

    @Test
    void otherContentTypesAre415AndNonUtf8Is400() {
        assertThat(post(OBSERVATION, "text/plain", null).status()).isEqualTo(415);
        byte[] latin1 = OBSERVATION.replace("Heart rate", "Herzfrequenz \u00e4").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(intake.handle(latin1, "application/fhir+json", null, "10.0.0.9", "u", null).status()).isEqualTo(400);
    }

    @Test
    void aSearchResultBundleIsNotAcceptedAsInput() {
        FhirIntake.Answer answer = post("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}", "application/fhir+json", null);
        assertThat(answer.status()).isEqualTo(422);
        assertThat(diagnostics(answer)).contains("searchset");
    }

    @Test
    void aResendWithTheSameRequestIdIsRecognised() {
        byte[] body = OBSERVATION.getBytes(StandardCharsets.UTF_8);
        FhirIntake.Answer first = intake.handle(body, "application/fhir+json", null, "10.0.0.9", "engineer1", "req-42");
        FhirIntake.Answer again = intake.handle(body, "application/fhir+json", null, "10.0.0.9", "engineer1", "req-42");
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(diagnostics(again)).contains("already received as message " + first.messageId());
        assertThat(accepted).containsExactly(first.messageId());
    }

    @Test
    void theSameRequestIdWithOtherContentIsProcessedAndFlaggedAsACollision() {
        byte[] body = OBSERVATION.getBytes(StandardCharsets.UTF_8);
        byte[] other = OBSERVATION.replace("\"status\"", " \"status\"").getBytes(StandardCharsets.UTF_8);
        assertThat(other).isNotEqualTo(body);
        List<io.carebus.api.audit.AuditRecord> audits = new ArrayList<>();
        FhirIntake audited = new FhirIntake(FhirContext.forR4Cached(), SharedValidation.get(), store, Clock.systemUTC(),
                2 * 1024 * 1024, () -> record -> {
                    audits.add(record);
                    return audits.size();
                }, accepted::add);
        FhirIntake.Answer first = audited.handle(body, "application/fhir+json", null, "10.0.0.9", "engineer1", "req-43");
        FhirIntake.Answer changed = audited.handle(other, "application/fhir+json", null, "10.0.0.9", "engineer1", "req-43");

        assertThat(changed.status()).as("not a duplicate: processed").isEqualTo(202);
        String warning = "control id req-43 already used by message " + first.messageId() + " with different content";
        assertThat(changed.outcome().getIssue()).anySatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.WARNING);
            assertThat(issue.getDiagnostics()).isEqualTo(warning);
        });
        assertThat(store.history(changed.messageId())).singleElement()
                .satisfies(h -> assertThat(h.note()).contains("warning: " + warning));
        assertThat(accepted).containsExactly(first.messageId(), changed.messageId());
        assertThat(audits).hasSize(2);
        assertThat(audits.get(0).detail()).isEqualTo("FHIR POST answered 202");
        assertThat(audits.get(1).detail()).isEqualTo("FHIR POST answered 202; warning: " + warning);
        assertThat(audits.get(1).entities()).containsExactly("message/" + changed.messageId());
    }
}
