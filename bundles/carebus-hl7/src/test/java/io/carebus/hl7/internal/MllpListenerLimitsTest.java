package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's limits against untrusted peers, on real sockets: attackers connect from 127.0.0.2 and up, the
 * legitimate sender from 127.0.0.1 (Linux routes all of 127/8 to loopback).
 */
class MllpListenerLimitsTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;
    private MllpListener listener;
    private int port;
    private final List<Socket> opened = new ArrayList<>();

    private void start(Map<String, Object> settings) throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        camel = new DefaultCamelContext();
        camel.start();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:nowhere?block=false", 60_000);
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, Object> config = new HashMap<>(Map.of("name", "limits", "host", "127.0.0.1", "port", port,
                "audit_required", false));
        config.putAll(settings);
        listener = new MllpListener(ListenerConfigs.of(config), camel, store, dispatcher);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : opened) {
            s.close();
        }
        if (listener != null) {
            listener.deactivate();
            dispatcher.deactivate();
            camel.stop();
            store.close();
        }
    }

    private static String adt(String controlId) {
        return "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261128||ADT^A01^ADT_A01|" + controlId + "|P|2.5\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\r";
    }

    private Socket connectFrom(String localAddress) throws IOException {
        Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(8_000);
        opened.add(socket);
        return socket;
    }

    private static String exchange(Socket socket, String message) throws IOException {
        socket.getOutputStream().write(MllpFrames.frame(message));
        return MllpFrames.read(socket.getInputStream());
    }

    /** True when the listener closed the connection; false when it was still open after the socket's read time-out. */
    private static boolean closedByPeer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private List<MessageSummary> stored(String controlId) {
        return store.search(new MessageQuery(controlId, null, null, null, null, null, null, null, 10));
    }

    private List<MessageSummary> errors() {
        return store.search(new MessageQuery(null, MessageStatus.ERROR, null, null, null, null, null, null, 10));
    }

    @Test
    void connectionsBeyondThePerAddressCapAreRefusedAtAccept() throws Exception {
        start(Map.of("max_connections_per_address", 2));
        Socket first = connectFrom("127.0.0.2");
        Socket second = connectFrom("127.0.0.2");
        assertThat(exchange(first, adt("ADDR-1"))).contains("MSA|AA|ADDR-1");
        assertThat(exchange(second, adt("ADDR-2"))).contains("MSA|AA|ADDR-2");

        Socket third = connectFrom("127.0.0.2");
        try {
            third.getOutputStream().write(MllpFrames.frame(adt("ADDR-3")));
        } catch (IOException refusedWhileWriting) {
            // the listener may have reset it before the frame went out: refused all the same
        }
        assertThat(closedByPeer(third)).as("third connection from 127.0.0.2 closed").isTrue();
        assertThat(stored("ADDR-3")).isEmpty();

        // another address is not affected, and the two admitted connections go on serving
        assertThat(exchange(connectFrom("127.0.0.1"), adt("OTHER-1"))).contains("MSA|AA|OTHER-1");
        assertThat(exchange(first, adt("ADDR-4"))).contains("MSA|AA|ADDR-4");
    }

    @Test
    void aConnectionThatNeverBeginsItsFirstFrameIsClosed() throws Exception {
        start(Map.of("first_frame_timeout_seconds", 1, "idle_timeout_seconds", 600));
        Socket silent = connectFrom("127.0.0.2");
        long start = System.nanoTime();
        assertThat(closedByPeer(silent)).as("closed by first.frame.timeout.seconds, not left to the idle time-out").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(4));
        assertThat(exchange(connectFrom("127.0.0.1"), adt("AFTER-SILENT"))).contains("MSA|AA|AFTER-SILENT");
    }

    /**
     * A byte every 300 ms never trips camel-mllp's read time-out (5 s between reads): only the frame time-out ends it,
     * on the first frame and on a later one.
     */
    @Test
    void aFrameThatTricklesInIsCutOffByTheFrameTimeout() throws Exception {
        start(Map.of("frame_timeout_seconds", 2, "idle_timeout_seconds", 600));
        assertThat(trickleUntilClosed(connectFrom("127.0.0.2"))).as("first frame").isBetween(Duration.ofMillis(1500), Duration.ofSeconds(5));

        Socket proven = connectFrom("127.0.0.3");
        assertThat(exchange(proven, adt("BEFORE-TRICKLE"))).contains("MSA|AA|BEFORE-TRICKLE");
        assertThat(trickleUntilClosed(proven)).as("a later frame").isBetween(Duration.ofMillis(1500), Duration.ofSeconds(5));

        assertThat(stored("TRICKLE")).isEmpty();
        assertThat(exchange(connectFrom("127.0.0.1"), adt("AFTER-TRICKLE"))).contains("MSA|AA|AFTER-TRICKLE");
    }

    /** Sends a frame a byte at a time (paced by a 300 ms read wait) until the listener closes; how long that took. */
    private static Duration trickleUntilClosed(Socket socket) throws IOException {
        byte[] frame = MllpFrames.frame(adt("TRICKLE"));
        socket.setSoTimeout(300);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        long start = System.nanoTime();
        for (int i = 0; i < frame.length - 1 && Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15; i++) {
            try {
                out.write(frame[i]);
                out.flush();
                if (in.read() < 0) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (SocketTimeoutException stillOpen) {
                // the pace of the trickle
            } catch (IOException closed) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
        throw new AssertionError("the trickling frame was never cut off");
    }

    /** The attack: 300 sockets that send nothing (or half a frame), from 30 other addresses. */
    @Test
    void threeHundredStalledSocketsDoNotKeepTheLegitimateSenderOut() throws Exception {
        start(Map.of());
        for (int i = 0; i < 300; i++) {
            Socket stalled = connectFrom("127.0.0." + (2 + i / 10));
            if (i % 2 == 0) {
                stalled.getOutputStream().write(MllpFrames.frame(adt("STALL-" + i)), 0, 40);
            }
        }
        long start = System.nanoTime();
        String answer = exchange(connectFrom("127.0.0.1"), adt("LEGIT-1"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(answer).contains("MSA|AA|LEGIT-1");
        assertThat(took).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aRefusedFrameIsStoredOnlyUpToItsFirst64KiB() throws Exception {
        start(Map.of("max_frame_bytes", 256 * 1024));
        String padding = "X".repeat(200 * 1024);
        String unsupported = adt("BIG-AR").replace("|2.5\r", "|9.9\r").replace("Doe^Jane", "Doe^Jane" + padding);
        Socket socket = connectFrom("127.0.0.1");
        assertThat(exchange(socket, unsupported)).contains("MSA|AR|BIG-AR");
        assertThat(stored("BIG-AR")).singleElement().satisfies(m -> {
            assertThat(m.status()).isEqualTo(MessageStatus.ERROR);
            assertThat(m.payloadSize()).isEqualTo(Hl7Intake.REFUSED_PREFIX_BYTES);
            assertThat(m.error()).contains("9.9").contains("[truncated:").contains("of " + unsupported.length() + " bytes");
        });
        long id = stored("BIG-AR").get(0).id();
        assertThatThrownBy(() -> dispatcher.reprocess(id, "test")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only the start");

        // larger than max.frame.bytes: also only 64 KiB of what was read is stored
        String oversize = adt("BIG-FRAME").replace("Doe^Jane", "Doe^Jane" + "Y".repeat(400 * 1024));
        Socket second = connectFrom("127.0.0.1");
        try {
            second.getOutputStream().write(MllpFrames.frame(oversize));
        } catch (IOException closedWhileWriting) {
            // the refusal may close the connection before all of it is sent
        }
        try {
            assertThat(MllpFrames.read(second.getInputStream())).contains("MSA|AR|BIG-FRAME");
        } catch (IOException closed) {
            // an answer lost to the reset is acceptable here; what was stored is the point
        }
        assertThat(stored("BIG-FRAME")).singleElement().satisfies(m -> {
            assertThat(m.payloadSize()).isEqualTo(Hl7Intake.REFUSED_PREFIX_BYTES);
            assertThat(m.error()).contains("max.frame.bytes").contains("[truncated:");
        });
    }

    private static String batch(int messages, String prefix) {
        StringBuilder b = new StringBuilder("BHS|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128||||" + prefix + "\r");
        for (int i = 0; i < messages; i++) {
            b.append(adt(prefix + "-" + i));
        }
        return b.append("BTS|").append(messages).append('\r').toString();
    }

    @Test
    void aBatchOverTheDefaultCapIsRefusedAsAWholeAndStoredAsOnePrefix() throws Exception {
        start(Map.of());
        String batch = batch(1001, "OVER");
        String answer = exchange(connectFrom("127.0.0.1"), batch);

        List<String> segments = List.of(answer.split("\r"));
        assertThat(segments.get(0)).startsWith("BHS|^~\\&|CAREBUS|HOSP|LAB|HOSP|").endsWith("|OVER");
        assertThat(segments.stream().filter(s -> s.startsWith("MSA|")).toList()).singleElement()
                .satisfies(msa -> assertThat(msa).startsWith("MSA|AR||").contains("1001 messages").contains("max.batch.messages = 1000"));
        assertThat(segments.get(segments.size() - 1)).startsWith("BTS|1|batch refused: 1001 messages");
        assertThat(stored("OVER-0")).isEmpty();
        assertThat(stored("OVER-1000")).isEmpty();
        assertThat(errors()).singleElement().satisfies(m -> {
            assertThat(m.payloadSize()).isEqualTo(Hl7Intake.REFUSED_PREFIX_BYTES);
            assertThat(m.error()).contains("max.batch.messages").contains("[truncated:").contains("of " + batch.length() + " bytes");
        });
    }

    @Test
    void aBatchOfExactlyTheCapIsAcceptedMessageByMessage() throws Exception {
        start(Map.of("max_batch_messages", 100));
        String answer = exchange(connectFrom("127.0.0.1"), batch(100, "HUNDRED"));
        List<String> segments = List.of(answer.split("\r"));
        assertThat(segments.stream().filter(s -> s.startsWith("MSA|AA|HUNDRED-")).count()).isEqualTo(100);
        assertThat(segments.get(segments.size() - 1)).isEqualTo("BTS|100");
        assertThat(stored("HUNDRED-0")).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        assertThat(stored("HUNDRED-99")).singleElement().satisfies(m -> assertThat(m.status()).isNotEqualTo(MessageStatus.ERROR));
        assertThat(errors()).isEmpty();

        // one more than the cap is refused
        assertThat(exchange(connectFrom("127.0.0.1"), batch(101, "OVER-CAP"))).contains("MSA|AR||").contains("max.batch.messages = 100");
        assertThat(stored("OVER-CAP-0")).isEmpty();
    }
}
