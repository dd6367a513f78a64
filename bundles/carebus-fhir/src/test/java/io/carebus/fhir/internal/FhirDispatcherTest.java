package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.fhir.FhirHeaders;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.testing.MessageStatusWait;
import io.carebus.store.testing.StoreOutage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FhirDispatcherTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private FhirDispatcher dispatcher;
    private final List<Long> routed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").process(e -> routed.add(e.getMessage().getHeader(FhirHeaders.MESSAGE_ID, Long.class)));
            }
        });
        camel.start();
    }

    @AfterEach
    void close() throws Exception {
        if (dispatcher != null) {
            dispatcher.deactivate();
        }
        camel.stop();
        store.close();
    }

    private long stored(String mrn) {
        String patient = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:mrn\",\"value\":\"" + mrn + "\"}]}";
        return store.store(new InboundMessage(FhirIntake.LISTENER, "peer", FhirIntake.PROTOCOL, "Patient", "4.0.1", mrn, "app",
                Instant.now(), patient.getBytes(StandardCharsets.UTF_8))).messageId();
    }

    private void awaitStatus(long id, MessageStatus status) throws InterruptedException {
        MessageStatusWait.await(store, id, status);
    }

    /**
     * Issue 24: "on a store outage FHIR drops the item in hand (the exception escapes past the re-queue)". The route
     * ran, recording its outcome failed: the outcome is recorded once the store is back, without a restart, and the
     * route does not run again.
     */
    @Test
    void anOutageWhileRecordingTheOutcomeKeepsItAndRecordsItWhenTheStoreIsBack() throws Exception {
        StoreOutage outage = new StoreOutage(store).failCompletes(1);
        long id = stored("MRN-1");
        dispatcher = new FhirDispatcher(outage, camel, "direct:in", 50);

        awaitStatus(id, MessageStatus.PROCESSED);
        assertThat(outage.failed()).isEqualTo(1);
        assertThat(routed).containsExactly(id);
    }

    /** An outage while claiming the message (reading it back) leaves it queued: it is routed once the store is back. */
    @Test
    void anOutageWhileClaimingTheMessageKeepsItQueued() throws Exception {
        StoreOutage outage = new StoreOutage(store);
        dispatcher = new FhirDispatcher(outage, camel, "direct:in", 50);
        long id = stored("MRN-2");
        outage.failFinds(2);
        dispatcher.submit(id);

        awaitStatus(id, MessageStatus.PROCESSED);
        assertThat(outage.failed()).isEqualTo(2);
        assertThat(routed).containsExactly(id);
        assertThat(store.search(new io.carebus.api.store.MessageQuery(null, null, null, null, null, null, "urn:mrn|MRN-2", null, 10)))
                .extracting(m -> m.id()).containsExactly(id);
    }
}
