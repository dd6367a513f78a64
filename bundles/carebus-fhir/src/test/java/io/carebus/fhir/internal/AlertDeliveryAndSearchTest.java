package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.ResultResources;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What carries alerts out: the outbox keeps the newest revision of a Flag and sends a newer one again, EHRs get Flags
 * by conditional update, and the local /fhir finds results by the real patient's identifier.
 */
class AlertDeliveryAndSearchTest {

    @TempDir
    Path dir;
    final ResultResources results = ResultResources.forNode("node-a");
    JdbcOutbox outbox;

    @BeforeEach
    void setUp() {
        outbox = new JdbcOutbox(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), Clock.systemUTC());
    }

    private static JdbcOutbox.Item flag(String body, long revision) {
        return new JdbcOutbox.Item("epic", "Flag", "urn:carebus:node-a", "f1", "urn:oid:1.2.3|MRN1", null, null,
                body.getBytes(StandardCharsets.UTF_8), revision);
    }

    private String body(long id) {
        return new String(outbox.read("Flag", id).orElseThrow().body(), StandardCharsets.UTF_8);
    }

    @Test
    void aNewerRevisionReplacesTheQueuedFlagAndIsSentAgainAnOlderOneChangesNothing() {
        long id = outbox.enqueue(flag("active-5", 5), false);
        JdbcOutbox.Due sent = outbox.due("epic", 10).get(0);
        outbox.delivered(sent, 1, 201, "Flag/9", "created");
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxStatus.DELIVERED);

        assertThat(outbox.enqueue(flag("active-10", 10), false)).isEqualTo(id);
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxStatus.PENDING);
        assertThat(body(id)).isEqualTo("active-10");

        outbox.enqueue(flag("active-5", 5), false);
        outbox.enqueue(flag("active-10-again", 10), false);
        assertThat(body(id)).as("older or equal revisions (a replay) change nothing").isEqualTo("active-10");

        // Revision 10 is being sent when revision 20 arrives: its answer must not mark revision 20 delivered.
        JdbcOutbox.Due inFlight = outbox.due("epic", 10).get(0);
        assertThat(inFlight.revision()).isEqualTo(10L);
        outbox.enqueue(flag("inactive-20", 20), false);
        outbox.delivered(inFlight, 1, 200, "Flag/9", "updated");
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxStatus.PENDING);
        assertThat(outbox.due("epic", 10)).extracting(JdbcOutbox.Due::revision).containsExactly(20L);
        assertThat(outbox.list(null, null, 10)).hasSize(1);
    }

    @Test
    void aResultWithoutRevisionIsMarkedAsBefore() {
        long id = outbox.enqueue(new JdbcOutbox.Item("epic", "Observation", "urn:carebus:node-a", "o1", null, null, null,
                "{}".getBytes(StandardCharsets.UTF_8)), false);
        JdbcOutbox.Due due = outbox.due("epic", 10).get(0);
        assertThat(due.revision()).isNull();
        outbox.dead(due, 1, 422, "refused");
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxStatus.DEAD);
    }

    @Test
    void flagsGoByConditionalUpdateWhereTheEhrHasItOtherResultsByConditionalCreate() {
        CapabilityStatement statement = new CapabilityStatement();
        statement.setFhirVersion(org.hl7.fhir.r4.model.Enumerations.FHIRVersion._4_0_1);
        CapabilityStatement.CapabilityStatementRestComponent rest = statement.addRest()
                .setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
        for (String type : List.of("Flag", "RiskAssessment")) {
            CapabilityStatement.CapabilityStatementRestResourceComponent r = rest.addResource().setType(type)
                    .setConditionalCreate(true).setConditionalUpdate(true);
            r.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.CREATE);
            r.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.UPDATE);
        }
        Capabilities capabilities = Capabilities.of(statement);
        assertThat(capabilities.modeFor("Flag", java.util.Optional.empty())).isEqualTo(Capabilities.WriteMode.CONDITIONAL_UPDATE);
        assertThat(capabilities.modeFor("RiskAssessment", java.util.Optional.empty())).isEqualTo(Capabilities.WriteMode.CONDITIONAL_CREATE);
    }

    /** Results as they leave carebus:reidentify: the subject is the real patient's identifier. */
    private void storeResultsOf(String mrn, String flagStatus) {
        Reference subject = new Reference().setType("Patient").setIdentifier(new Identifier().setSystem("urn:oid:1.2.3").setValue(mrn));
        List<Resource> body = new ArrayList<>();
        org.hl7.fhir.r4.model.RiskAssessment risk = new org.hl7.fhir.r4.model.RiskAssessment();
        risk.setStatus(org.hl7.fhir.r4.model.RiskAssessment.RiskAssessmentStatus.FINAL).setSubject(subject.copy());
        risk.addIdentifier(results.engineIdentifier("risk-" + mrn));
        body.add(risk);
        Flag flag = new Flag().setStatus(Flag.FlagStatus.fromCode(flagStatus)).setSubject(subject.copy());
        flag.addIdentifier(results.engineIdentifier("flag-" + mrn));
        flag.getCode().setText("sepsis risk");
        body.add(flag);
        org.hl7.fhir.r4.model.Communication communication = new org.hl7.fhir.r4.model.Communication()
                .setStatus(org.hl7.fhir.r4.model.Communication.CommunicationStatus.COMPLETED).setSubject(subject.copy());
        communication.addIdentifier(results.engineIdentifier("communication-" + mrn));
        body.add(communication);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        new OutboxStep(new OutboxComponent(outbox, results)).process(exchange, Map.of());
    }

    private List<String> search(String type, String... parameters) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            map.put(parameters[i], parameters[i + 1]);
        }
        Bundle bundle = LocalSearch.search(outbox, type, map::get).bundle();
        assertThat(bundle.getTotal()).isEqualTo(bundle.getEntry().size());
        return bundle.getEntry().stream().map(e -> e.getResource().fhirType() + " "
                + ((Reference) e.getResource().getNamedProperty("subject").getValues().get(0)).getIdentifier().getValue()).toList();
    }

    @Test
    void searchBySubjectIdentifierFindsThatPatientsResultsOnly() {
        storeResultsOf("MRN1", "active");
        storeResultsOf("MRN2", "inactive");
        storeResultsOf("MRN_", "active");

        assertThat(search("RiskAssessment", "subject.identifier", "urn:oid:1.2.3|MRN1")).containsExactly("RiskAssessment MRN1");
        assertThat(search("Flag", "subject.identifier", "urn:oid:1.2.3|MRN1")).containsExactly("Flag MRN1");
        assertThat(search("Communication", "subject.identifier", "MRN2")).containsExactly("Communication MRN2");
        assertThat(search("RiskAssessment", "patient.identifier", "MRN1")).containsExactly("RiskAssessment MRN1");
        assertThat(search("RiskAssessment", "subject.identifier", "MRN_")).as("LIKE wildcards are escaped").containsExactly("RiskAssessment MRN_");
        assertThat(search("RiskAssessment", "subject.identifier", "MRN")).isEmpty();
        assertThat(search("RiskAssessment", "subject.identifier", "urn:oid:9.9|MRN1")).isEmpty();

        assertThat(search("Flag", "subject.identifier", "MRN1", "status", "active")).containsExactly("Flag MRN1");
        assertThat(search("Flag", "subject.identifier", "MRN2", "status", "active")).isEmpty();
        assertThat(search("Flag", "status", "active")).containsExactlyInAnyOrder("Flag MRN1", "Flag MRN_");
        assertThat(search("Flag", "status", "active", "_count", "1")).hasSize(1);
    }

    @Test
    void aResultWithoutItsOwnRevisionTimeShowsWhenTheEngineStoredIt() {
        long before = System.currentTimeMillis();
        storeResultsOf("MRN1", "active");
        long after = System.currentTimeMillis();
        Map<String, String> query = Map.of("subject.identifier", "urn:oid:1.2.3|MRN1");
        Resource risk = LocalSearch.search(outbox, "RiskAssessment", query::get).bundle().getEntryFirstRep().getResource();
        assertThat(risk.getMeta().getLastUpdated().getTime()).isBetween(before, after);
        assertThat(risk.getMeta().getLastUpdatedElement().getPrecision()).isEqualTo(ca.uhn.fhir.model.api.TemporalPrecisionEnum.MILLI);
    }
}
