package io.carebus.hl7.internal;

import io.carebus.api.audit.AwaitedAuditTrail;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.MessageQuery;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25 item 3: "Nothing is acknowledged unaudited. The intake's audit record is required by default: no audit
 * trail, no AA (AE/CE 207) exactly as for a store outage. During a swap the intake may hold an ACK for a bounded time
 * waiting for the trail to return, rather than refuse at once."
 */
class AuditRequiredIntakeTest {

    @TempDir
    Path dir;
    private CloseableMessageStore store;
    private HapiContext headers;
    private Hl7Parsing lenient;

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        headers = new DefaultHapiContext(ValidationContextFactory.noValidation());
        AckControlIds ackIds = new AckControlIds();
        headers.getParserConfiguration().setIdGenerator(ackIds);
        lenient = new Hl7Parsing(ValidationMode.LENIENT, ackIds);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        headers.close();
        lenient.close();
    }

    /** Keeps what is appended (the store here cannot take a record into its own transaction). */
    private static final class RecordingTrail implements AuditTrail {
        final List<AuditRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public long append(AuditRecord record) {
            records.add(record);
            return records.size();
        }
    }

    private Hl7Intake requiring(AwaitedAuditTrail trail, Duration wait) {
        return new Hl7Intake(Hl7IntakeTest.rules(ValidationMode.LENIENT), store, lenient, headers.getPipeParser(),
                Clock.systemUTC(), trail, wait);
    }

    private List<io.carebus.api.store.MessageSummary> stored(String controlId) {
        return store.search(new MessageQuery(controlId, null, null, null, null, null, null, null, 10));
    }

    @Test
    void withoutAnAuditTrailTheIntakeWaitsThenAnswers207AndStoresNothing() {
        Hl7Intake intake = requiring(new AwaitedAuditTrail(), Duration.ofMillis(400));
        long start = System.nanoTime();
        IntakeOutcome outcome = intake.handle(Hl7IntakeTest.adt("NOAUDIT-1", "").getBytes(StandardCharsets.ISO_8859_1), "peer");
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(waitedMs).as("held the answer for audit.wait.ms").isGreaterThanOrEqualTo(400);
        assertThat(outcome.ackCode()).isEqualTo("AE");
        assertThat(new String(outcome.ack(), StandardCharsets.ISO_8859_1)).contains("MSA|AE|NOAUDIT-1")
                .contains("207").contains("audit unavailable, please resend");
        assertThat(outcome.toProcess()).isFalse();
        assertThat(stored("NOAUDIT-1")).as("nothing stored that would be acknowledged").isEmpty();

        IntakeOutcome enhanced = intake.handle(Hl7IntakeTest.adt("NOAUDIT-2", "|||AL|NE").getBytes(StandardCharsets.ISO_8859_1), "peer");
        assertThat(enhanced.ackCode()).isEqualTo("CE");
    }

    @Test
    void aTrailThatBindsDuringTheWaitGetsTheRecordAndTheMessageItsAA() throws Exception {
        AwaitedAuditTrail reference = new AwaitedAuditTrail();
        Hl7Intake intake = requiring(reference, Duration.ofSeconds(30));
        byte[] frame = Hl7IntakeTest.adt("SWAP-1", "").getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        CompletableFuture<IntakeOutcome> answer = CompletableFuture.supplyAsync(() -> intake.handle(frame, "10.0.0.9:1"));
        while (!reference.awaited()) {
            assertThat(answer).as("the intake must wait for the trail, not answer").isNotDone();
            Thread.onSpinWait();
        }
        RecordingTrail trail = new RecordingTrail();
        reference.bind(trail);
        IntakeOutcome outcome = answer.get(20, TimeUnit.SECONDS);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("woken by the bind, not the timeout")
                .isLessThan(20_000);
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(trail.records).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo(AuditAction.RECEIVE);
            assertThat(r.outcome()).isEqualTo(AuditRecord.Outcome.SUCCESS);
            assertThat(r.entities()).containsExactly("message/" + outcome.messageId());
        });
        assertThat(stored("SWAP-1")).hasSize(1);

        reference.unbind(trail);
        assertThat(reference.current()).isNull();
    }

    /** The listener's default (no audit.* keys in its .cfg) is the required record, 5 s wait. */
    @Test
    void aListenerWithDefaultSettingsAcknowledgesNothingWithoutATrail() throws Exception {
        var camel = new DefaultCamelContext();
        camel.start();
        Hl7Dispatcher dispatcher = new Hl7Dispatcher(store, camel, "direct:nowhere?block=false", 60_000);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        MllpListener listener = new MllpListener(ListenerConfigs.of(Map.of("name", "audreq", "host", "127.0.0.1", "port", port)),
                camel, store, dispatcher);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            long start = System.nanoTime();
            socket.getOutputStream().write(MllpFrames.frame(Hl7IntakeTest.adt("DEFAULT-1", "")));
            String ack = MllpFrames.read(socket.getInputStream());
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(5000);
            assertThat(ack).contains("MSA|AE|DEFAULT-1").contains("audit unavailable, please resend");
            assertThat(stored("DEFAULT-1")).isEmpty();
            assertThat(listener.report().details()).containsEntry("audited", false);
        } finally {
            listener.deactivate();
            dispatcher.deactivate();
            camel.stop();
        }
    }
}
