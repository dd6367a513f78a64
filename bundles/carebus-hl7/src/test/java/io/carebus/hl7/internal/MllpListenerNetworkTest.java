package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input rows that only show on the wire, against a real listener (64 KiB frames, 2 s idle timeout): each row
 * checks the answer (or the closed connection), what was stored, and that a valid message right after still gets AA.
 */
class MllpListenerNetworkTest {

    private static final int MAX_FRAME = 64 * 1024;

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;
    private MllpListener listener;
    private int port;

    @BeforeEach
    void start() throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        camel = new DefaultCamelContext();
        camel.start();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:nowhere?block=false", 60_000);
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        listener = new MllpListener(ListenerConfigs.of(Map.of("name", "wire", "host", "127.0.0.1", "port", port,
                "max_frame_bytes", MAX_FRAME, "idle_timeout_seconds", 2,
                "audit_required", false)), camel, store, dispatcher);
    }

    @AfterEach
    void stop() throws Exception {
        listener.deactivate();
        dispatcher.deactivate();
        camel.stop();
        store.close();
    }

    private static String adt(String controlId) {
        return "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261128||ADT^A01^ADT_A01|" + controlId + "|P|2.5\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\r";
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private String exchange(String message) throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(MllpFrames.frame(message));
            return MllpFrames.read(socket.getInputStream());
        }
    }

    private void assertStillServing(String controlId) throws IOException {
        assertThat(exchange(adt(controlId))).contains("MSA|AA|" + controlId);
    }

    private List<MessageSummary> stored(String controlId) {
        return store.search(new MessageQuery(controlId, null, null, null, null, null, null, null, 10));
    }

    @Test
    void aSloppyMessageIsAcceptedByDefaultAndCountedInTheListenersHealth() throws Exception {
        assertThat(listener.report().details()).containsEntry("validation", "lenient").containsEntry("warnings", 0L);
        String sloppy = adt("SLOPPY-1").replace("Doe^Jane", "Doe^Jane||1980-01-01");
        assertThat(exchange(sloppy)).contains("MSA|AA|SLOPPY-1");
        assertStillServing("CLEAN-1");
        assertThat(listener.report().details()).containsEntry("messagesWithWarnings", 1L).containsEntry("warnings", 1L);
        assertThat(store.warnings(stored("SLOPPY-1").get(0).id())).singleElement()
                .satisfies(w -> assertThat(w.location()).startsWith("PID-7"));
    }

    @Test
    void strictValidationAndItsDeprecatedAliasRefuseTheSameMessage() throws Exception {
        String sloppy = adt("STRICT-1").replace("Doe^Jane", "Doe^Jane||1980-01-01");
        for (Map<String, Object> cfg : List.<Map<String, Object>>of(Map.of("validation", "strict"), Map.of("validate_datatypes", "true"))) {
            listener.deactivate();
            var config = new java.util.HashMap<String, Object>(Map.of("name", "wire", "host", "127.0.0.1", "port", port,
                    "audit_required", false));
            config.putAll(cfg);
            listener = new MllpListener(ListenerConfigs.of(config), camel, store, dispatcher);
            assertThat(listener.report().details()).as("%s", cfg).containsEntry("validation", "strict");
            assertThat(exchange(sloppy)).as("%s", cfg).contains("MSA|AE|STRICT-1").contains("102");
        }
    }

    @Test
    void anOversizeFrameIsRejectedWithAnArAndItsStartStoredAsError() throws Exception {
        String huge = adt("BIG-1").replace("Doe^Jane", "Doe^Jane" + "X".repeat(2 * MAX_FRAME));
        try (Socket socket = connect()) {
            try {
                socket.getOutputStream().write(MllpFrames.frame(huge));
            } catch (IOException closedWhileWriting) {
                // The listener may close while the rest is still on its way: that is a refusal too.
            }
            String answer;
            try {
                answer = MllpFrames.read(socket.getInputStream());
            } catch (IOException e) {
                answer = "closed";
            }
            assertThat(answer).contains("MSA|AR|BIG-1").contains("ERR|").contains("207");
        }
        assertThat(stored("BIG-1")).singleElement().satisfies(m -> {
            assertThat(m.status()).isEqualTo(MessageStatus.ERROR);
            assertThat(m.error()).contains("max.frame.bytes");
            assertThat(m.payloadSize()).isLessThanOrEqualTo(MAX_FRAME);
        });
        assertStillServing("AFTER-BIG");
    }

    @Test
    void aTruncatedFrameFollowedByCloseIsNeitherAcknowledgedNorProcessed() throws Exception {
        try (Socket socket = connect()) {
            byte[] frame = MllpFrames.frame(adt("TRUNC-1"));
            socket.getOutputStream().write(frame, 0, frame.length - 10);
        }
        assertStillServing("AFTER-TRUNC");
        // camel-mllp drops an unterminated frame; nothing was acknowledged, so the sender still owns the message.
        assertThat(stored("TRUNC-1")).isEmpty();
    }

    @Test
    void aSlowSenderIsServedAndAnIdleOneIsDisconnected() throws Exception {
        try (Socket socket = connect()) {
            byte[] frame = MllpFrames.frame(adt("SLOW-1"));
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < frame.length; i += 20) {
                out.write(frame, i, Math.min(20, frame.length - i));
                out.flush();
                Thread.sleep(1500L * 20 / frame.length);
            }
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|SLOW-1");
        }
        try (Socket idle = connect()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> MllpFrames.read(idle.getInputStream())).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed by the idle timeout")
                    .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(9));
        }
        assertStillServing("AFTER-IDLE");
    }

    @Test
    void severalMessagesOnOneConnectionAreEachAcknowledged() throws Exception {
        try (Socket socket = connect()) {
            for (int i = 0; i < 5; i++) {
                socket.getOutputStream().write(MllpFrames.frame(adt("SEQ-" + i)));
                assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|SEQ-" + i);
            }
        }
    }

    /**
     * A sender that does not wait for each ACK (or a read that brings two frames): camel-mllp alone answered the first
     * and dropped the rest unanswered and unstored.
     */
    @Test
    void framesThatArriveTogetherAreEachStoredAndAnsweredInOrder() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            // as the connection's first bytes (camel-mllp's first-read path) ...
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 4; i++) {
                burst.write(MllpFrames.frame(adt("BURST-" + i)));
            }
            out.write(burst.toByteArray());
            for (int i = 0; i < 4; i++) {
                assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|BURST-" + i);
            }
            // ... and later on the same connection, with a stray LF after a frame and the next frame cut in two
            byte[] second = MllpFrames.frame(adt("SPLIT-2"));
            burst.reset();
            burst.write(MllpFrames.frame(adt("SPLIT-1")));
            burst.write('\n');
            burst.write(second, 0, 20);
            out.write(burst.toByteArray());
            out.flush();
            // The ACK of SPLIT-1 is the latch: the server has read everything up to it, and the rest of SPLIT-2 is only
            // written now, in a second call, so it can only reach the server in a later read than its first 20 bytes.
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|SPLIT-1");
            out.write(second, 20, second.length - 20);
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|SPLIT-2");
            // a stray LF alone after a frame is not taken for the start of a message
            out.write(MllpFrames.frame(adt("LF-AFTER")));
            out.write('\n');
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|LF-AFTER");
            out.write(MllpFrames.frame(adt("AFTER-LF")));
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|AFTER-LF");
        }
        for (String id : List.of("BURST-0", "BURST-1", "BURST-2", "BURST-3", "SPLIT-1", "SPLIT-2", "LF-AFTER", "AFTER-LF")) {
            assertThat(stored(id)).as(id).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        }
        List<Long> order = java.util.stream.IntStream.range(0, 4).mapToObj(i -> stored("BURST-" + i).get(0).id()).toList();
        assertThat(order).isSorted();
    }

    /** HL7 batch protocol in one frame: each message stored and answered, the answer a batch of ACKs. */
    @Test
    void aBatchInOneFrameIsAnsweredWithABatchOfAcks() throws Exception {
        String batch = "FHS|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128||||F-7\r"
                + "BHS|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128||||B-7\r"
                + adt("BATCH-1") + adt("BATCH-2").replace("|2.5\r", "|9.9\r") + adt("BATCH-3")
                + "BTS|3\rFTS|1\r";
        String answer;
        try (Socket socket = connect()) {
            socket.getOutputStream().write(MllpFrames.frame(batch));
            answer = MllpFrames.read(socket.getInputStream());
        }
        List<String> segments = List.of(answer.split("\r"));
        assertThat(segments.get(0)).startsWith("FHS|^~\\&|CAREBUS|HOSP|LAB|HOSP|").endsWith("|F-7");
        assertThat(segments.get(1)).startsWith("BHS|^~\\&|CAREBUS|HOSP|LAB|HOSP|").endsWith("|B-7");
        assertThat(segments.stream().filter(s -> s.startsWith("MSA|")).toList())
                .containsExactly("MSA|AA|BATCH-1", "MSA|AR|BATCH-2|unsupported version id 9.9", "MSA|AA|BATCH-3");
        assertThat(segments.subList(segments.size() - 2, segments.size())).containsExactly("BTS|3", "FTS|1");
        assertThat(stored("BATCH-1")).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        assertThat(stored("BATCH-2")).singleElement().satisfies(m -> assertThat(m.status()).isEqualTo(MessageStatus.ERROR));
        assertThat(stored("BATCH-3")).singleElement().satisfies(m -> assertThat(m.payloadSize()).isEqualTo(adt("BATCH-3").length()));
        assertStillServing("AFTER-BATCH");
    }

    /** Enhanced mode: MSH-15 says which accept ACKs the sender wants (NE never, ER on errors, SU on success). */
    @Test
    void acceptAcksGoOnlyWhereMsh15AsksForThem() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(MllpFrames.frame(adt("NE-1").replace("|P|2.5\r", "|P|2.5|||NE|NE\r")));
            out.write(MllpFrames.frame(adt("ER-OK").replace("|P|2.5\r", "|P|2.5|||ER|NE\r")));
            out.write(MllpFrames.frame(adt("SU-BAD").replace("|P|2.5\r", "|P|9.9|||SU|NE\r")));
            out.write(MllpFrames.frame(adt("ER-BAD").replace("|P|2.5\r", "|P|9.9|||ER|NE\r")));
            out.write(MllpFrames.frame(adt("AL-1").replace("|P|2.5\r", "|P|2.5|||AL|NE\r")));
            // the first three ask for nothing in their case: the first answers on the wire are these
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|CR|ER-BAD");
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|CA|AL-1");
        }
        assertThat(stored("NE-1")).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        assertThat(stored("ER-OK")).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        assertThat(stored("SU-BAD")).singleElement().satisfies(m -> assertThat(m.status()).isEqualTo(MessageStatus.ERROR));
        assertStillServing("AFTER-MSH15");
    }

    @Test
    void aFrameWithoutMshIsAnsweredArAndTheConnectionKeepsServing() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(MllpFrames.frame("PID|1||MRN1\r"));
            assertThat(MllpFrames.read(socket.getInputStream())).contains("\rMSA|AR|").contains("\rERR|");
            socket.getOutputStream().write(MllpFrames.frame(adt("SAME-CONNECTION")));
            assertThat(MllpFrames.read(socket.getInputStream())).contains("MSA|AA|SAME-CONNECTION");
        }
        assertStillServing("AFTER-NOMSH");
    }
}
