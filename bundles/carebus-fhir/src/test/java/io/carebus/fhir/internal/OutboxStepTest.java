package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.FhirHeaders;
import io.carebus.fhir.ResultResources;
import io.carebus.store.StoreDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** carebus:ehr: what goes into the outbox, under which identifier, and that a second run adds nothing. */
class OutboxStepTest {

    private static final String BUNDLE = """
            {"resourceType":"Bundle","type":"collection","entry":[
             {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.3","value":"MRN1"}]}},
             {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
               "subject":{"reference":"Patient/p1"},"valueQuantity":{"value":91,"unit":"/min"}}},
             {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
               "subject":{"reference":"Patient/p1"},"valueQuantity":{"value":38.4,"unit":"Cel"}}}]}""";

    @TempDir
    Path dir;
    private JdbcOutbox outbox;

    private OutboxComponent component;

    private OutboxStep step() {
        outbox = new JdbcOutbox(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), Clock.systemUTC());
        component = new OutboxComponent(outbox, ResultResources.forNode("node-a"));
        return new OutboxStep(component);
    }

    private static Exchange exchange(Object body, String sha) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(FhirHeaders.PAYLOAD_SHA256, sha);
        exchange.getMessage().setHeader(FhirHeaders.MESSAGE_ID, 7L);
        return exchange;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> ids(Exchange exchange) {
        return exchange.getMessage().getHeader(OutboxStep.OUTBOX_IDS, List.class);
    }

    @Test
    void resultsOfTheWantedTypesAreKeptLocallyWithStableEngineIdentifiers() {
        OutboxStep step = step();
        Exchange first = exchange(BUNDLE, "abc");
        step.process(first, Map.of());
        assertThat(ids(first)).hasSize(2);
        List<OutboxEntry> entries = outbox.list(null, null, 10);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(OutboxStatus.LOCAL);
            assertThat(e.ehr()).isEqualTo("local");
            assertThat(e.identifier()).startsWith("urn:carebus:node-a|");
            assertThat(e.subject()).isEqualTo("Patient/p1");
            assertThat(e.sourceMessage()).isEqualTo(7L);
        });
        assertThat(entries).extracting(OutboxEntry::code).containsExactlyInAnyOrder("http://loinc.org|8867-4", "http://loinc.org|8310-5");

        Exchange again = exchange(BUNDLE, "abc");
        step.process(again, Map.of());
        assertThat(ids(again)).isEqualTo(ids(first));
        Exchange otherInput = exchange(BUNDLE, "def");
        step.process(otherInput, Map.of("types", "Observation"));
        assertThat(ids(otherInput)).doesNotContainAnyElementsOf(ids(first));
    }

    @Test
    void keepLocalFalseQueuesNothingWhenNoEhrIsConfigured() {
        OutboxStep step = step();
        Exchange adt = exchange(BUNDLE, "adt");
        step.process(adt, Map.of("types", "Patient,Observation", "keepLocal", "false"));
        assertThat(ids(adt)).isEmpty();
        assertThat(outbox.list(null, null, 10)).isEmpty();
        Exchange kept = exchange(BUNDLE, "adt");
        step.process(kept, Map.of("types", "Patient"));
        assertThat(ids(kept)).hasSize(1);
    }

    @Test
    void aProvenanceIsQueuedByItsIdAndUnknownEhrsAreRefused() {
        OutboxStep step = step();
        Provenance provenance = new Provenance();
        provenance.addTarget(new Reference("Observation/1"));
        Exchange exchange = exchange(List.of(provenance), "p");
        step.process(exchange, Map.of());
        OutboxEntry entry = outbox.find(ids(exchange).get(0)).orElseThrow();
        assertThat(entry.identifier()).startsWith(EhrClient.BY_ID + "|cb-");
        assertThatThrownBy(() -> step.process(exchange(BUNDLE, "x"), Map.of("ehr", "nowhere"))).hasMessageContaining("no EHR named nowhere");
    }

    @Test
    void resultsAnEhrCannotTakeAsFhirGoAsOruR01ToTheFallback() throws Exception {
        ca.uhn.fhir.context.FhirContext fhir = ca.uhn.fhir.context.FhirContext.forR4Cached();
        OutboxStep step = step();
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (io.carebus.fhir.testing.FaultInjectingEhr ehr = new io.carebus.fhir.testing.FaultInjectingEhr(fhir, 0, java.util.Set.of("Observation"));
             DefaultCamelContext camel = new DefaultCamelContext()) {
            EhrEndpoint endpoint = new EhrEndpoint(io.carebus.fhir.testing.Configs.of(EhrConfig.class, Map.of("base_url", ehr.baseUrl())),
                    "lab", component, Clock.systemUTC(), dir);
            try {
                step.addEndpoint(endpoint);
                long deadline = System.currentTimeMillis() + 10_000;
                while (endpoint.writable("Observation").isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(endpoint.writable("RiskAssessment")).contains(false);
                camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:oru").process(x -> received.add(x.getMessage().getBody(String.class)));
                    }
                });
                camel.start();
                io.carebus.api.model.ModelId model = new io.carebus.api.model.ModelId("sepsis-risk", "1.0.0",
                        io.carebus.api.Sha256.of(new byte[32]));
                io.carebus.api.model.Prediction prediction = new io.carebus.api.model.Prediction(model, "p", java.time.Instant.parse(
                        "2026-11-28T08:00:00Z"), io.carebus.api.Sha256.of(new byte[32]), Map.of("sepsis_risk", 0.73), false);
                Reference subject = new Reference().setType("Patient").setIdentifier(
                        new org.hl7.fhir.r4.model.Identifier().setSystem("urn:oid:1.2.3").setValue("MRN1"));
                io.carebus.api.model.ModelCard.ModelOutput output = new io.carebus.api.model.ModelCard.ModelOutput("sepsis_risk",
                        "probability", 0.5, "RiskAssessment", "http://snomed.info/sct|91302008");
                org.hl7.fhir.r4.model.RiskAssessment risk = component.results().riskAssessment(prediction, output, subject, null);
                org.hl7.fhir.r4.model.Observation observation = component.results().observation(prediction,
                        new io.carebus.api.model.ModelCard.ModelOutput("sepsis_risk", "probability", 0.5, "Observation",
                                "http://loinc.org|LP1-1"), subject, null);
                Exchange exchange = new DefaultExchange(camel);
                exchange.getMessage().setBody(List.of(risk, observation));
                step.process(exchange, Map.of("fallback", "direct:oru"));

                assertThat(received).hasSize(1);
                ca.uhn.hl7v2.model.v251.message.ORU_R01 oru = new ca.uhn.hl7v2.model.v251.message.ORU_R01();
                oru.parse(received.get(0));
                assertThat(oru.getMSH().getReceivingApplication().getNamespaceID().getValue()).isEqualTo("lab");
                assertThat(oru.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0).getIDNumber().getValue())
                        .isEqualTo("MRN1");
                assertThat(oru.getPATIENT_RESULT().getORDER_OBSERVATIONReps()).isEqualTo(1);
                ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION order = oru.getPATIENT_RESULT().getORDER_OBSERVATION();
                ca.uhn.hl7v2.model.v251.segment.OBX obx = order.getOBSERVATION(0).getOBX();
                assertThat(obx.getObservationIdentifier().getIdentifier().getValue()).isEqualTo("91302008");
                assertThat(obx.getObservationValue(0).getData().encode()).isEqualTo("0.7300");
                assertThat(obx.getAbnormalFlags(0).getValue()).isEqualTo("H");
                assertThat(order.getOBR().getFillerOrderNumber().getEntityIdentifier().getValue())
                        .isEqualTo(risk.getIdentifierFirstRep().getValue());
                // The Observation the EHR does take went to the outbox; the RiskAssessment did not.
                assertThat(outbox.list(null, "lab", 10)).extracting(OutboxEntry::resourceType).containsExactly("Observation");
            } finally {
                endpoint.deactivate();
            }
        }
    }
}
