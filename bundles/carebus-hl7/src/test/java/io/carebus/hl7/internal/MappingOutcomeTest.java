package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.MessageWarning;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What processing records about the mapping to the canonical form, through the real store: what the mapper left out
 * is stored as the message's warnings (issue 23: "a bad timestamp becomes an omitted element plus a warning"), found by
 * {@code ?warnings=true} and counted for the listener's health; a mapping that fails marks the message ERROR
 * (issue 26: "a mapping failure marks ERROR").
 */
class MappingOutcomeTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;

    @BeforeEach
    void open() throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").log("processed");
            }
        });
        camel.start();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);
    }

    @AfterEach
    void close() throws Exception {
        dispatcher.deactivate();
        camel.stop();
        store.close();
    }

    private long stored(String listener, String controlId, String version, String... segments) {
        String text = String.join("\r", segments) + "\r";
        long id = store.store(new InboundMessage(listener, "peer", "HL7v2", "ADT^A01", version, controlId, "REG^HOSP", Instant.now(),
                text.getBytes(StandardCharsets.ISO_8859_1)), java.util.List.of()).messageId();
        dispatcher.submit(id);
        return id;
    }

    private void awaitFinished(long id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (store.find(id).orElseThrow().status() == MessageStatus.RECEIVED) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("message " + id + " still RECEIVED");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void whatTheMappingLeftOutIsStoredAsTheMessagesWarningsFilterableAndCounted() throws Exception {
        long bad = stored("main", "W1", "2.5", "MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|W1|P|2.5",
                "PID|||12345^^^HOSP^MR||Doe^John||1980-02-14|M",
                "PV1|1|I|W1^101^1");
        long clean = stored("main", "W2", "2.5", "MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|W2|P|2.5",
                "PID|||12346^^^HOSP^MR||Doe^Jane||19800214|F",
                "PV1|1|I|W1^102^1");
        awaitFinished(bad);
        awaitFinished(clean);

        assertThat(store.find(bad).orElseThrow().status()).as("a bad field costs the field, not the message")
                .isEqualTo(MessageStatus.PROCESSED);
        assertThat(store.canonical(bad)).isPresent();
        assertThat(store.warnings(bad)).singleElement().satisfies(w -> {
            assertThat(w.location()).isEqualTo("PID-7");
            assertThat(w.problem()).startsWith("FHIR mapping: ").contains("date");
            assertThat(w.valueLength()).as("the length, never the value").isEqualTo(10);
            assertThat(w.toString()).doesNotContain("1980");
        });
        assertThat(store.warnings(clean)).isEmpty();
        assertThat(store.search(new MessageQuery(null, null, null, null, null, null, null, null, 10, true)))
                .extracting(MessageSummary::id, MessageSummary::warnings)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(bad, 1));
        assertThat(dispatcher.mappingWarnings("main")).isEqualTo(new CanonicalForm.WarningCounts(1, 1));
        assertThat(dispatcher.mappingWarnings("other")).isEqualTo(new CanonicalForm.WarningCounts(0, 0));

        // Processed again (POST /reprocess): the mapping's warnings are replaced, not repeated.
        dispatcher.reprocess(bad, "engineer");
        awaitFinished(bad);
        assertThat(store.warnings(bad)).extracting(MessageWarning::location).containsExactly("PID-7");
    }

    @Test
    void aMappingThatFailsMarksTheMessageErrorWithTheReason() throws Exception {
        // Stored as received (intake keeps even what HAPI cannot read); a version HAPI has no model for cannot be mapped.
        long unreadable = stored("main", "E1", "9.9", "MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|E1|P|9.9",
                "PID|||12345^^^HOSP^MR||Doe^John||19800214|M");
        long fine = stored("main", "E2", "2.5", "MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|E2|P|2.5",
                "PID|||12345^^^HOSP^MR||Doe^John||19800214|M");
        awaitFinished(unreadable);
        awaitFinished(fine);

        var failed = store.find(unreadable).orElseThrow();
        assertThat(failed.status()).isEqualTo(MessageStatus.ERROR);
        assertThat(failed.error()).startsWith("FHIR mapping failed");
        assertThat(store.canonical(unreadable)).isEmpty();
        assertThat(store.unfinished("HL7v2")).isEmpty();
        assertThat(store.find(fine).orElseThrow().status()).as("one failure costs that message only")
                .isEqualTo(MessageStatus.PROCESSED);
    }
}
