package io.carebus.dicom.internal.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts plain SCP connections on one selector thread and reads each one's A-ASSOCIATE-RQ there, so a socket that
 * has not yet asked for an association costs no thread and no buffer beyond the bytes it actually sent. Only a
 * complete request takes a session thread. Caps, all decided before anything is buffered: sockets per remote
 * address (over it: closed at accept); sockets still negotiating (over it: the oldest is closed, so a flood of idle
 * sockets cannot lock out a peer that sends its request at once); the ARTIM timer (PS3.8 §9.1.5: a socket without a
 * complete request within it is closed); associations (over it: the request is read without being kept and answered
 * A-ASSOCIATE-RJ transient, local limit exceeded).
 */
public final class AssociationIntake implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AssociationIntake.class);
    /** The called and calling AE titles are the first 36 bytes of the request's body: kept for the refusal's log. */
    private static final int AE_TITLES = 36;
    private static final int FIXED_PART = 68;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final ConnectionLimits limits;
    private final int maxPending;
    private final long artimNanos;
    private final ExecutorService sessionThreads;
    private final Sessions sessions;
    private final LinkedHashMap<SocketChannel, Pending> pending = new LinkedHashMap<>();
    private final ByteBuffer discard = ByteBuffer.allocate(16 * 1024);
    private final Thread thread;
    private volatile int pendingCount;
    private volatile boolean closed;

    private static final class Pending {
        final SocketChannel channel;
        final InetAddress address;
        final long deadline;
        final boolean refuse;
        final ByteBuffer header = ByteBuffer.allocate(6);
        SelectionKey key;
        ByteBuffer body;
        int length;
        int received;

        Pending(SocketChannel channel, InetAddress address, long deadline, boolean refuse) {
            this.channel = channel;
            this.address = address;
            this.deadline = deadline;
            this.refuse = refuse;
        }
    }

    /**
     * @param maxPending sockets that may be negotiating at once
     * @param artimMillis how long a socket may take to send its complete A-ASSOCIATE-RQ
     * @param sessionThreads runs the associations; {@code limits} keeps it to {@code max.associations} at once
     */
    public AssociationIntake(InetSocketAddress bind, ConnectionLimits limits, int maxPending, int artimMillis,
                             ExecutorService sessionThreads, Sessions sessions) throws IOException {
        this.limits = limits;
        this.maxPending = Math.max(1, maxPending);
        this.artimNanos = Math.max(1, artimMillis) * 1_000_000L;
        this.sessionThreads = sessionThreads;
        this.sessions = sessions;
        this.selector = Selector.open();
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.socket().setReuseAddress(true);
            channel.bind(bind, 128);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            channel.close();
            selector.close();
            throw e;
        }
        this.server = channel;
        this.thread = new Thread(this::loop, "carebus-dicom-scp");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Sockets accepted whose A-ASSOCIATE-RQ has not completed yet. */
    public int pending() {
        return pendingCount;
    }

    private void loop() {
        try {
            while (!closed) {
                try {
                    selector.select(untilNextDeadline());
                    List<Pending> complete = new ArrayList<>();
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            acceptAll();
                        } else if (key.isReadable() && read((Pending) key.attachment())) {
                            complete.add((Pending) key.attachment());
                        }
                    }
                    if (!complete.isEmpty()) {
                        // a channel leaves blocking mode only once its cancelled key is deregistered
                        selector.selectNow();
                        complete.forEach(this::handOver);
                    }
                    expire();
                    pendingCount = pending.size();
                } catch (ClosedSelectorException e) {
                    return;
                } catch (Exception e) {
                    if (!closed) {
                        LOG.error("DICOM SCP intake: {}", e.toString(), e);
                    }
                }
            }
        } finally {
            for (Pending p : new ArrayList<>(pending.values())) {
                drop(p, null, false);
            }
            pendingCount = 0;
        }
    }

    private long untilNextDeadline() {
        if (pending.isEmpty()) {
            return 0;
        }
        long left = pending.values().iterator().next().deadline - System.nanoTime();
        return Math.max(1, left / 1_000_000 + 1);
    }

    private void acceptAll() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            InetAddress address = null;
            boolean admitted = false;
            try {
                address = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
                admitted = limits.admit(address);
                if (!admitted) {
                    closeQuietly(channel);
                    sessions.dropped(address.getHostAddress(), "more than " + limits.maxPerAddress()
                            + " connections from this address", false);
                    continue;
                }
                if (pending.size() >= maxPending) {
                    drop(pending.values().iterator().next(), "closed before its A-ASSOCIATE-RQ: more than " + maxPending
                            + " connections negotiating", false);
                }
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                Pending p = new Pending(channel, address, System.nanoTime() + artimNanos, limits.associationsFull());
                p.key = channel.register(selector, SelectionKey.OP_READ, p);
                pending.put(channel, p);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                if (admitted) {
                    limits.release(address);
                }
                LOG.warn("DICOM SCP: accepting a connection failed: {}", e.toString());
            }
        }
    }

    /** Reads what arrived; true once the whole A-ASSOCIATE-RQ is in. */
    private boolean read(Pending p) {
        try {
            while (true) {
                if (p.header.hasRemaining()) {
                    if (p.channel.read(p.header) < 0) {
                        drop(p, "closed before its A-ASSOCIATE-RQ", false);
                        return false;
                    }
                    if (p.header.hasRemaining()) {
                        return false;
                    }
                    int type = p.header.get(0) & 0xFF;
                    long length = p.header.getInt(2) & 0xFFFFFFFFL;
                    if (type != Pdu.ASSOCIATE_RQ) {
                        abort(p, Pdu.name(type) + " before A-ASSOCIATE-RQ");
                        return false;
                    }
                    if (length > Pdu.MAX_ASSOCIATE_RQ || length < FIXED_PART) {
                        abort(p, "A-ASSOCIATE-RQ of " + length + " bytes (" + FIXED_PART + " to " + Pdu.MAX_ASSOCIATE_RQ
                                + " allowed)");
                        return false;
                    }
                    p.length = (int) length;
                    // Grows with what arrives: a peer that announces 64 KB and stalls costs a few KB.
                    p.body = ByteBuffer.allocate(p.refuse ? AE_TITLES : Math.min(p.length, 4096));
                }
                ByteBuffer target = p.body;
                if (!p.body.hasRemaining()) {
                    if (p.refuse) {
                        discard.clear().limit(Math.min(discard.capacity(), p.length - p.received));
                        target = discard;
                    } else {
                        ByteBuffer larger = ByteBuffer.allocate(Math.min(p.length, p.body.capacity() * 2));
                        larger.put(p.body.flip());
                        p.body = larger;
                        target = larger;
                    }
                }
                int n = p.channel.read(target);
                if (n < 0) {
                    drop(p, "closed inside its A-ASSOCIATE-RQ", false);
                    return false;
                }
                if (n == 0) {
                    return false;
                }
                p.received += n;
                if (p.received == p.length) {
                    pending.remove(p.channel);
                    p.key.cancel();
                    return true;
                }
            }
        } catch (IOException e) {
            drop(p, "connection lost before its A-ASSOCIATE-RQ: " + e.getMessage(), false);
            return false;
        }
    }

    private void handOver(Pending p) {
        if (p.refuse || !limits.startAssociation()) {
            reject(p);
            return;
        }
        Socket socket = p.channel.socket();
        String remote = p.address.getHostAddress();
        try {
            p.channel.configureBlocking(true);
            byte[] request = p.body.array();
            sessionThreads.execute(() -> {
                try {
                    sessions.run(socket, request);
                } catch (Exception e) {
                    LOG.error("DICOM association from {} failed", remote, e);
                } finally {
                    closeQuietly(p.channel);
                    limits.endAssociation();
                    limits.release(p.address);
                }
            });
        } catch (IOException | RejectedExecutionException e) {
            closeQuietly(p.channel);
            limits.endAssociation();
            limits.release(p.address);
            if (!closed) {
                LOG.warn("DICOM SCP: association from {} not started: {}", remote, e.toString());
            }
        }
    }

    /** A-ASSOCIATE-RJ rejected-transient, service provider (presentation), local limit exceeded. */
    private void reject(Pending p) {
        byte[] titles = new byte[AE_TITLES];
        p.body.flip().get(titles, 0, Math.min(AE_TITLES, p.body.remaining()));
        try {
            // The whole request was read, so closing sends FIN after the answer, not a reset that could discard it.
            p.channel.write(ByteBuffer.wrap(Pdu.associateReject(2, 3, 2)));
            p.channel.shutdownOutput();
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(p.channel);
        limits.release(p.address);
        sessions.rejected(ae(titles, 20), ae(titles, 4), p.address.getHostAddress(),
                "more than " + limits.maxAssociations() + " associations open");
    }

    private static String ae(byte[] titles, int at) {
        return new String(titles, at, 16, StandardCharsets.US_ASCII).replaceAll("[^\\x20-\\x7E]", "?").strip();
    }

    private void abort(Pending p, String why) {
        try {
            p.channel.write(ByteBuffer.wrap(Pdu.abort(2, 2)));
        } catch (IOException e) {
            // closing anyway
        }
        drop(p, why, true);
    }

    private void expire() {
        long now = System.nanoTime();
        List<Pending> late = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.deadline - now > 0) {
                break;
            }
            late.add(p);
        }
        for (Pending p : late) {
            drop(p, "no A-ASSOCIATE-RQ within " + artimNanos / 1_000_000 + " ms (ARTIM)", false);
        }
    }

    private void drop(Pending p, String why, boolean violation) {
        pending.remove(p.channel);
        closeQuietly(p.channel);
        limits.release(p.address);
        if (why != null) {
            sessions.dropped(p.address.getHostAddress(), why, violation);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            server.close();
        } finally {
            selector.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            selector.close();
        }
    }
}
