package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.route.StepUnavailableException;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.hl7.Hl7Headers;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: a route whose {@code carebus:} step is missing (its bundle being updated) fails the exchange with
 * {@link StepUnavailableException}; the message must wait and run again once the step is back, never end ERROR.
 */
class Hl7DispatcherStepWaitTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        camel = new DefaultCamelContext();
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

    @Test
    void aMessageWhoseStepIsBeingUpdatedWaitsAndRunsOnceTheStepIsBack() throws Exception {
        AtomicBoolean stepRunning = new AtomicBoolean(false);
        List<String> ran = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").process(e -> {
                    if (!stepRunning.get()) {
                        // what carebus-camel's step component throws once its wait for the step has run out
                        throw new StepUnavailableException("infer", "no carebus:infer step is running");
                    }
                    ran.add(e.getMessage().getHeader(Hl7Headers.CONTROL_ID, String.class));
                });
            }
        });
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);
        long id = store.store(new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", "C1", "REG^HOSP", Instant.now(),
                "MSH|^~\\&|REG|HOSP|||x||ADT^A01|C1|P|2.5\r".getBytes(StandardCharsets.ISO_8859_1))).messageId();
        dispatcher.submit(id);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (dispatcher.waits() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dispatcher.waits()).as("tried, found the step missing, waited: twice").isGreaterThanOrEqualTo(2);
        assertThat(store.find(id).orElseThrow().status()).as("not an error of the message").isEqualTo(MessageStatus.RECEIVED);

        stepRunning.set(true);
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.find(id).orElseThrow().status() != MessageStatus.PROCESSED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(MessageStatus.PROCESSED);
        assertThat(ran).containsExactly("C1");
    }
}
