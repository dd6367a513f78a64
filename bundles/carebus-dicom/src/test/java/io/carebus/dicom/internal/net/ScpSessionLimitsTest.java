package io.carebus.dicom.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The session's own caps, measured by what it read from the socket. */
class ScpSessionLimitsTest {

    private record Closed(String how, long bytesRead) {
    }

    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final List<String> exceeded = new CopyOnWriteArrayList<>();

    private final ScpSession.Events events = new ScpSession.Events() {
        @Override
        public void refused(String callingAe, String calledAe, String remote, String reason) {
            closed.complete(new Closed("refused: " + reason, -1));
        }

        @Override
        public void closed(String callingAe, String remote, int stored, int failed, String how, long bytesRead) {
            closed.complete(new Closed(how, bytesRead));
        }

        @Override
        public void exceeded(String callingAe, String remote, String what) {
            exceeded.add(what);
        }
    };

    private static final ScpPolicy POLICY = new ScpPolicy("CAREBUS", Set.of(), Set.of(), List.of(), 131072, 5000, 5000);

    /** One session on a real socket, reading its own A-ASSOCIATE-RQ (as under TLS). */
    private ServerSocket serveOne() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread thread = new Thread(() -> {
            try {
                Socket socket = server.accept();
                new ScpSession(socket, POLICY, request -> {
                    throw new AssertionError("no C-STORE expected");
                }, events, null).run();
            } catch (Exception e) {
                closed.completeExceptionally(e);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    @Test
    void aCommandFragmentFloodIsCutOffBeforeOneMegabyte() throws Exception {
        try (ServerSocket server = serveOne(); RawPeer peer = RawPeer.connect("127.0.0.2", server.getLocalPort())) {
            peer.send(RawPeer.associateRequest("FLOOD", "CAREBUS", 0));
            assertThat(peer.read().type()).isEqualTo(Pdu.ASSOCIATE_AC);
            peer.flood(16L << 20);
            peer.close();
            Closed result = closed.get(20, TimeUnit.SECONDS);
            assertThat(result.bytesRead()).isLessThan(1 << 20);
            assertThat(result.how()).contains("command set larger than 65536 bytes");
            assertThat(exceeded).containsExactly("command set larger than 65536 bytes");
        }
    }

    @Test
    void anAssociateRequestOverTheCapIsAbortedUnread() throws Exception {
        try (ServerSocket server = serveOne(); RawPeer peer = RawPeer.connect("127.0.0.2", server.getLocalPort())) {
            // well-formed, 100 KB: it used to be accepted (the cap was 1 MiB)
            peer.send(RawPeer.associateRequest("BIG", "CAREBUS", 100 * 1024));
            Closed result = closed.get(20, TimeUnit.SECONDS);
            assertThat(result.how()).contains("exceeds the 65536 allowed");
            assertThat(result.bytesRead()).isLessThan(70 * 1024);
            assertThat(exceeded).hasSize(1);
        }
    }
}
