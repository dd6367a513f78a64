package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.hl7.Hl7Headers;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.testing.MessageStatusWait;
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

class Hl7DispatcherTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;
    private final List<String> seen = new CopyOnWriteArrayList<>();

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

    private long stored(String controlId) {
        return store.store(new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", controlId, "REG^HOSP", Instant.now(),
                ("MSH|^~\\&|REG|HOSP|||x||ADT^A01|" + controlId + "|P|2.5\r").getBytes(StandardCharsets.ISO_8859_1))).messageId();
    }

    private void route(boolean failOnControlIdBad) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").process(e -> {
                    String id = e.getMessage().getHeader(Hl7Headers.CONTROL_ID, String.class);
                    if (failOnControlIdBad && id.startsWith("BAD")) {
                        throw new IllegalStateException("mapping failed");
                    }
                    if (id.startsWith("SKIP")) {
                        e.setProperty(Hl7Dispatcher.FILTERED_PROPERTY, true);
                    }
                    seen.add(id);
                });
            }
        });
    }

    private void awaitStatus(long id, MessageStatus status) throws InterruptedException {
        MessageStatusWait.await(store, id, status);
    }

    @Test
    void resumesUnfinishedMessagesInArrivalOrderThenRecordsTheOutcome() throws Exception {
        long a = stored("A");
        long bad = stored("BAD1");
        long skip = stored("SKIP1");
        long b = stored("B");
        route(true);

        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);

        awaitStatus(b, MessageStatus.PROCESSED);
        assertThat(seen).containsExactly("A", "SKIP1", "B");
        assertThat(store.find(a).orElseThrow().status()).isEqualTo(MessageStatus.PROCESSED);
        assertThat(store.find(skip).orElseThrow().status()).isEqualTo(MessageStatus.FILTERED);
        assertThat(store.find(bad).orElseThrow().error()).contains("mapping failed");
        assertThat(store.unfinished("HL7v2")).isEmpty();
    }

    @Test
    void messagesWaitWhileNoRouteConsumesAndAreProcessedOnceOneDoes() throws Exception {
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in?block=false", 50);
        long a = stored("A");
        dispatcher.submit(a);
        // Not a sleep standing in for "nothing happens": the dispatcher counts each time a message found no route.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (dispatcher.waits() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dispatcher.waits()).as("it was tried and waited, twice").isGreaterThanOrEqualTo(2);
        assertThat(store.find(a).orElseThrow().status()).as("no route yet: it waits").isEqualTo(MessageStatus.RECEIVED);

        route(false);
        awaitStatus(a, MessageStatus.PROCESSED);
        assertThat(seen).containsExactly("A");
    }

    @Test
    void theRouteGetsTheFhirFormWhichTheStoreKeepsAndIndexesByPatient() throws Exception {
        List<String> bundles = new CopyOnWriteArrayList<>();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").process(e -> bundles.add(e.getMessage().getHeader(Hl7Headers.FHIR_BUNDLE, String.class)));
            }
        });
        long id = store.store(new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", "F1", "REG^HOSP", Instant.now(),
                "MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|F1|P|2.5|||||||UNICODE UTF-8\rPID|1||MÜLLER-7^^^HOSP^MR||Müller^Jürg\r"
                        .getBytes(StandardCharsets.UTF_8))).messageId();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);
        awaitStatus(id, MessageStatus.PROCESSED);

        assertThat(bundles).singleElement().asString().contains("\"resourceType\":\"Bundle\"").contains("Müller");
        assertThat(new String(store.canonical(id).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo(bundles.get(0));
        assertThat(store.search(new io.carebus.api.store.MessageQuery(null, null, null, null, null, null,
                "urn:carebus:hl7v2:id:HOSP|MÜLLER-7", null, 10))).extracting(m -> m.id()).containsExactly(id);
    }

    private long storedEnhanced(String controlId, String msh16) {
        return store.store(new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", controlId, "REG^HOSP", Instant.now(),
                ("MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261128||ADT^A01|" + controlId + "|P|2.5|||AL|" + msh16 + "\r")
                        .getBytes(StandardCharsets.ISO_8859_1))).messageId();
    }

    @Test
    void applicationAcksGoToTheSendersListenerAsMsh16Asks() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (java.net.ServerSocket senderListener = new java.net.ServerSocket(0)) {
            Thread peer = new Thread(() -> {
                try {
                    while (true) {
                        try (java.net.Socket s = senderListener.accept()) {
                            s.setSoTimeout(5000);
                            while (true) {
                                String ack = MllpFrames.read(s.getInputStream());
                                received.add(ack);
                                String ctl = ack.split("\r")[0].split("\\|")[9];
                                s.getOutputStream().write(MllpFrames.frame("MSH|^~\\&|LAB|HOSP|||20261128||ACK|R" + ctl
                                        + "|P|2.5\rMSA|CA|" + ctl + "\r"));
                            }
                        } catch (java.io.IOException closed) {
                            // next connection
                        }
                    }
                } catch (Exception stop) {
                    // socket closed at the end of the test
                }
            });
            peer.setDaemon(true);
            peer.start();
            route(true);
            dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);
            dispatcher.applicationAckEndpoint("main", "mllp://127.0.0.1:" + senderListener.getLocalPort());

            long always = storedEnhanced("APP-1", "AL");
            long onErrorOnly = storedEnhanced("APP-2", "ER");
            long failed = storedEnhanced("BAD-APP-3", "ER");
            for (long id : List.of(always, onErrorOnly, failed)) {
                dispatcher.submit(id);
            }
            awaitStatus(failed, MessageStatus.ERROR);
            awaitStatus(onErrorOnly, MessageStatus.PROCESSED);

            assertThat(received).hasSize(2);
            assertThat(received.get(0)).contains("MSA|AA|APP-1");
            assertThat(received.get(1)).contains("MSA|AE|BAD-APP-3").contains("ERR|");
            assertThat(store.history(always)).extracting(h -> h.note()).anyMatch(n -> n.contains("application ACK AA sent"));
            assertThat(store.history(onErrorOnly)).extracting(h -> h.note()).noneMatch(n -> n.contains("application ACK"));

            dispatcher.forgetListener("main");
            long unrouted = storedEnhanced("APP-4", "AL");
            dispatcher.submit(unrouted);
            awaitStatus(unrouted, MessageStatus.PROCESSED);
            assertThat(store.history(unrouted)).extracting(h -> h.note())
                    .anyMatch(n -> n.contains("has no application.ack.endpoint"));
        }
    }

    @Test
    void reprocessRunsAMessageAgainAndRecordsWhoAsked() throws Exception {
        route(true);
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50);
        long bad = stored("BAD2");
        dispatcher.submit(bad);
        awaitStatus(bad, MessageStatus.ERROR);

        dispatcher.reprocess(bad, "admin");
        awaitStatus(bad, MessageStatus.ERROR);
        assertThat(store.history(bad)).extracting(h -> h.note()).anyMatch(n -> n.contains("requested by admin"));
    }

    private long storedFor(String controlId, String mrn, boolean merge) {
        String text = "MSH|^~\\&|REG|HOSP|||x||ADT^A08|" + controlId + "|P|2.5\rPID|1||" + mrn + "^^^HOSP^MR||Doe^J\r"
                + (merge ? "MRG|OLD-" + mrn + "^^^HOSP^MR\r" : "");
        return store.store(new InboundMessage("main", "peer", "HL7v2", "ADT^A08", "2.5", controlId, "REG^HOSP", Instant.now(),
                text.getBytes(StandardCharsets.ISO_8859_1))).messageId();
    }

    /** A route that takes a while per message and records who ran, in which order, and how many ran at once. */
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
    private final List<String> alone = new CopyOnWriteArrayList<>();

    private void slowRoute() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").process(e -> {
                    int now = running.incrementAndGet();
                    mostAtOnce.accumulateAndGet(now, Math::max);
                    String id = e.getMessage().getHeader(Hl7Headers.CONTROL_ID, String.class);
                    Thread.sleep(id.startsWith("M") ? 60 : 15);
                    if (id.startsWith("M")) {
                        alone.add(id + ":" + (running.get() == 1 && now == 1));
                    }
                    seen.add(id);
                    running.decrementAndGet();
                });
            }
        });
    }

    @Test
    void lanesRunPatientsSideBySideAndEachPatientsMessagesInArrivalOrder() throws Exception {
        slowRoute();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50, 4);
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (String patient : List.of("P1", "P2", "P3", "P4", "P5", "P6")) {
                long id = storedFor(patient + "-" + i, patient, false);
                ids.add(id);
                dispatcher.submit(id);
            }
        }
        for (long id : ids) {
            awaitStatus(id, MessageStatus.PROCESSED);
        }
        assertThat(seen).hasSize(60);
        for (String patient : List.of("P1", "P2", "P3", "P4", "P5", "P6")) {
            assertThat(seen.stream().filter(c -> c.startsWith(patient + "-")).toList()).as("order of " + patient)
                    .containsExactly(java.util.stream.IntStream.range(0, 10).mapToObj(i -> patient + "-" + i).toArray(String[]::new));
        }
        assertThat(mostAtOnce.get()).as("different patients ran at the same time").isGreaterThan(1);
    }

    @Test
    void aMergeWaitsForEveryLaneAndRunsAlone() throws Exception {
        slowRoute();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50, 4);
        List<Long> ids = new java.util.ArrayList<>();
        for (String patient : List.of("P1", "P2", "P3", "P4")) {
            ids.add(storedFor("B-" + patient, patient, false));
        }
        ids.add(storedFor("M-1", "P2", true));
        for (String patient : List.of("P1", "P3", "P4")) {
            ids.add(storedFor("A-" + patient, patient, false));
        }
        ids.forEach(dispatcher::submit);
        for (long id : ids) {
            awaitStatus(id, MessageStatus.PROCESSED);
        }
        assertThat(alone).containsExactly("M-1:true");
        int merge = seen.indexOf("M-1");
        assertThat(seen.subList(0, merge)).as("everything that arrived before the merge ran before it")
                .containsExactlyInAnyOrder("B-P1", "B-P2", "B-P3", "B-P4");
        assertThat(seen.subList(merge + 1, seen.size())).containsExactlyInAnyOrder("A-P1", "A-P3", "A-P4");
    }

    @Test
    void oneWorkerKeepsStrictArrivalOrderAcrossPatients() throws Exception {
        slowRoute();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:in", 50, 1);
        List<Long> ids = new java.util.ArrayList<>();
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (String patient : List.of("P1", "P2", "P3")) {
                ids.add(storedFor(patient + "-" + i, patient, false));
                sent.add(patient + "-" + i);
            }
        }
        ids.forEach(dispatcher::submit);
        awaitStatus(ids.get(ids.size() - 1), MessageStatus.PROCESSED);
        assertThat(seen).containsExactlyElementsOf(sent);
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }
}
