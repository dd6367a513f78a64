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

    private OutboxStep step() {
        outbox = new JdbcOutbox(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), Clock.systemUTC());
        return new OutboxStep(new OutboxComponent(outbox, ResultResources.forNode("node-a")));
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
}
