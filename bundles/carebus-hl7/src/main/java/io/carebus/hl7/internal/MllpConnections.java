package io.carebus.hl7.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections one MLLP listener holds, admitted at accept before a byte is read or a thread is started for them.
 * Limits: {@code max.connections} in all and {@code max.connections.per.address} from one remote address (over
 * either, the new socket is closed at once); a connection must begin its first frame within
 * {@code first.frame.timeout.seconds}, and every frame must be complete within {@code frame.timeout.seconds} of its
 * first byte, or the connection is closed. A sender that has not yet delivered a frame has proven nothing, so when
 * all connections are taken, the oldest such one makes room for the newcomer: otherwise a few hundred sockets that
 * never send (from as many addresses) would keep every legitimate sender out until their time-outs.
 *
 * <p>Warnings name the remote address and the limit, never content; repeated ones are summarised (at most one per
 * kind every {@value #WARN_EVERY_SECONDS} s with the number left out), so a flood cannot flood the log.
 */
final class MllpConnections {

    private static final Logger LOG = LoggerFactory.getLogger(MllpConnections.class);
    private static final int WARN_EVERY_SECONDS = 10;

    record Limits(int maxConnections, int maxPerAddress, Duration firstFrameTimeout, Duration frameTimeout) {
        Limits {
            if (maxConnections < 1 || maxPerAddress < 1 || firstFrameTimeout.isNegative() || firstFrameTimeout.isZero()
                    || frameTimeout.isNegative() || frameTimeout.isZero()) {
                throw new IllegalArgumentException("MLLP connection limits must be positive: " + this);
            }
        }
    }

    /** One admitted connection; its buffer reports the frames it reads ({@link #frameBegun}, {@link #frameCompleted}). */
    final class Connection {
        final Socket socket;
        final InetAddress address;
        final long openedAt;
        /** When the frame being read began (clock millis), 0 while none is. */
        private volatile long frameStartedAt;
        private volatile boolean framed;
        private volatile boolean handedOver;

        private Connection(Socket socket, InetAddress address, long openedAt) {
            this.socket = socket;
            this.address = address;
            this.openedAt = openedAt;
        }

        void frameBegun() {
            if (frameStartedAt == 0) {
                frameStartedAt = Math.max(1, clock.getAsLong());
            }
        }

        void frameCompleted() {
            framed = true;
            frameStartedAt = 0;
        }

        /** The connection's reader took it over; from then on that reader releases it when it ends. */
        void handOver() {
            handedOver = true;
        }

        boolean handedOver() {
            return handedOver;
        }

        private boolean silent() {
            return !framed && frameStartedAt == 0;
        }
    }

    private final String listener;
    private final Limits limits;
    private final LongSupplier clock;
    /** Arrival order: the first unproven one is the oldest. */
    private final LinkedHashSet<Connection> open = new LinkedHashSet<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final Warning overAddress = new Warning();
    private final Warning evicted = new Warning();
    private final Warning full = new Warning();
    private final Warning timedOut = new Warning();

    MllpConnections(String listener, Limits limits) {
        this(listener, limits, System::currentTimeMillis);
    }

    MllpConnections(String listener, Limits limits, LongSupplier clock) {
        this.listener = listener;
        this.limits = limits;
        this.clock = clock;
    }

    /** The accepted socket as an admitted connection, or null when it was refused (and is already closed). */
    Connection admit(Socket socket) {
        InetAddress address = socket.getRemoteSocketAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        Connection victim = null;
        String refusal = null;
        Connection admitted = null;
        synchronized (this) {
            int fromAddress = perAddress.getOrDefault(address, 0);
            if (fromAddress >= limits.maxPerAddress()) {
                refusal = "address";
            } else {
                if (open.size() >= limits.maxConnections()) {
                    victim = oldestUnproven();
                    if (victim == null) {
                        refusal = "full";
                    } else {
                        forget(victim);
                    }
                }
                if (refusal == null) {
                    admitted = new Connection(socket, address, clock.getAsLong());
                    open.add(admitted);
                    perAddress.merge(address, 1, Integer::sum);
                }
            }
        }
        if ("address".equals(refusal)) {
            overAddress.warn("MLLP listener {}: connection from {} refused: it already holds {} connections "
                    + "(max.connections.per.address)", listener, text(address), limits.maxPerAddress());
            reset(socket);
        } else if ("full".equals(refusal)) {
            full.warn("MLLP listener {}: connection from {} refused: all {} connections are taken by senders that "
                    + "have delivered frames (max.connections)", listener, text(address), limits.maxConnections());
            reset(socket);
        }
        if (victim != null) {
            evicted.warn("MLLP listener {}: all {} connections taken (max.connections); closed the oldest one that had "
                    + "not yet delivered a frame (from {}) for a new one from {}", listener, limits.maxConnections(),
                    text(victim.address), text(address));
            reset(victim.socket);
        }
        return admitted;
    }

    /** Oldest connection that has not delivered a frame, preferring one that has not even begun one. */
    private Connection oldestUnproven() {
        Connection candidate = null;
        for (Connection c : open) {
            if (c.silent()) {
                return c;
            }
            if (candidate == null && !c.framed) {
                candidate = c;
            }
        }
        return candidate;
    }

    /** The connection has ended (its socket is closed or about to be): its place is free again. */
    void release(Connection connection) {
        if (connection != null) {
            synchronized (this) {
                if (open.contains(connection)) {
                    forget(connection);
                }
            }
        }
    }

    private void forget(Connection connection) {
        open.remove(connection);
        perAddress.computeIfPresent(connection.address, (a, n) -> n > 1 ? n - 1 : null);
    }

    synchronized int size() {
        return open.size();
    }

    /** Closes the connections whose first frame or current frame is overdue; run periodically. */
    void closeOverdue() {
        long now = clock.getAsLong();
        long firstFrame = limits.firstFrameTimeout().toMillis();
        long frame = limits.frameTimeout().toMillis();
        List<Connection> overdue = new ArrayList<>();
        synchronized (this) {
            for (Connection c : open) {
                long started = c.frameStartedAt;
                if (started != 0 ? now - started >= frame : !c.framed && now - c.openedAt >= firstFrame) {
                    overdue.add(c);
                }
            }
            overdue.forEach(this::forget);
        }
        for (Connection c : overdue) {
            boolean midFrame = c.frameStartedAt != 0;
            timedOut.warn(midFrame
                    ? "MLLP listener {}: connection from {} closed: a frame not complete within {} s of its first byte (frame.timeout.seconds)"
                    : "MLLP listener {}: connection from {} closed: no frame begun within {} s of connecting (first.frame.timeout.seconds)",
                    listener, text(c.address), TimeUnit.MILLISECONDS.toSeconds(midFrame ? frame : firstFrame));
            reset(c.socket);
        }
    }

    /** How often {@link #closeOverdue} should run: a quarter of the shorter time-out, between 100 ms and 1 s. */
    Duration sweepInterval() {
        long shorter = Math.min(limits.firstFrameTimeout().toMillis(), limits.frameTimeout().toMillis());
        return Duration.ofMillis(Math.max(100, Math.min(1000, shorter / 4)));
    }

    /** Closes without lingering (RST): the peer learns at once, and no half-closed socket waits here. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException | RuntimeException ignored) {
            // closed already; close() below is then a no-op
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing an MLLP connection failed: {}", e.toString());
        }
    }

    private static String text(InetAddress address) {
        return address == null ? "an unknown address" : address.getHostAddress();
    }

    /** A warning that is logged at most once every {@value #WARN_EVERY_SECONDS} s, saying how many were left out. */
    private final class Warning {
        private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        private final AtomicInteger suppressed = new AtomicInteger();

        void warn(String format, Object... args) {
            long now = clock.getAsLong();
            long before = last.get();
            if (before != Long.MIN_VALUE && now - before < TimeUnit.SECONDS.toMillis(WARN_EVERY_SECONDS)
                    || !last.compareAndSet(before, now)) {
                suppressed.incrementAndGet();
                return;
            }
            int left = suppressed.getAndSet(0);
            LOG.warn(left == 0 ? format : format + " ({} more like it in the last " + WARN_EVERY_SECONDS + " s)",
                    left == 0 ? args : append(args, left));
        }

        private Object[] append(Object[] args, Object extra) {
            Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
            all[args.length] = extra;
            return all;
        }
    }
}
