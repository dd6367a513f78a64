package io.carebus.hl7.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.component.mllp.MllpConfiguration;
import org.apache.camel.component.mllp.MllpEndpoint;
import org.apache.camel.component.mllp.MllpTcpServerConsumer;
import org.apache.camel.component.mllp.internal.Hl7Util;
import org.apache.camel.component.mllp.internal.MllpSocketBuffer;
import org.apache.camel.component.mllp.internal.TcpServerConsumerValidationRunnable;
import org.apache.camel.component.mllp.internal.TcpSocketConsumerRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-mllp's endpoint with two defects worked around. Frames that arrive together keep their order and each get
 * their ACK ({@link PipelinedFrameBuffer}). And when the first frame on a connection outgrows
 * {@code maxBufferSize}, camel-mllp 4.14's validation task dies with an uncaught IllegalStateException and leaves the
 * socket open, so the sender waits forever. Here the same task runs inside a guard that hands what was read to
 * {@link OversizeHandler} (which stores it and answers a reject ACK), drains the rest briefly so the sender can read
 * that answer, and closes the connection. (A later oversize frame on a connection already in use is closed by
 * camel-mllp itself, without an answer.)
 *
 * <p>Connections are admitted by {@link MllpConnections} as they are accepted, before any thread or buffer is spent
 * on them; camel-mllp enforced its connection limit only after a first read (on a thread per socket), and held a
 * socket that never sent anything for the whole idle time-out. Each admitted connection is read on a thread of this
 * consumer, which frees its place when the connection ends.
 */
final class GuardedMllpEndpoint extends MllpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedMllpEndpoint.class);

    /** Answers a frame larger than the listener accepts: the framed-less ACK bytes, or null to just close. */
    interface OversizeHandler {
        byte[] answer(byte[] head, String remoteAddress);
    }

    private final OversizeHandler oversize;
    private final String listener;
    private final MllpConnections.Limits limits;

    GuardedMllpEndpoint(String uri, MllpComponent component, MllpConfiguration configuration, OversizeHandler oversize,
                        String listener, MllpConnections.Limits limits) {
        super(uri, component, configuration);
        this.oversize = oversize;
        this.listener = listener;
        this.limits = limits;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer consumer = new GuardedConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    private final class GuardedConsumer extends MllpTcpServerConsumer {

        // Both pools are bounded by admission: at most max.connections sockets are admitted at a time.
        private final ExecutorService validation = Executors.newCachedThreadPool(daemon("carebus-mllp-first-frame"));
        private final ExecutorService readers = Executors.newCachedThreadPool(daemon("carebus-mllp-connection"));
        private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(daemon("carebus-mllp-timeouts"));
        private final MllpConnections connections = new MllpConnections(listener, limits);
        private final Hl7Util hl7Util;

        GuardedConsumer(MllpEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
            hl7Util = new Hl7Util(endpoint.getComponent().getLogPhiMaxBytes(), endpoint.getComponent().getLogPhi());
            long every = connections.sweepInterval().toMillis();
            timeouts.scheduleWithFixedDelay(this::closeOverdue, every, every, TimeUnit.MILLISECONDS);
        }

        /** A scheduled task that throws is never run again, so nothing may escape this one but an Error. */
        private void closeOverdue() {
            try {
                connections.closeOverdue();
            } catch (RuntimeException e) {
                LOG.error("MLLP listener {}: checking connection time-outs failed: {}", listener, e.toString());
            }
        }

        /** Called by camel-mllp's accept thread for each accepted socket: admitted here, or closed at once. */
        @Override
        public void validateConsumer(Socket socket) {
            MllpConnections.Connection connection = connections.admit(socket);
            if (connection == null) {
                return;
            }
            // camel-mllp's own buffer drops a frame that arrives in the same read as the one before it
            PipelinedFrameBuffer buffer = new PipelinedFrameBuffer(getEndpoint(), connection);
            try {
                TcpServerConsumerValidationRunnable task = new TcpServerConsumerValidationRunnable(this, socket, buffer);
                validation.submit(() -> {
                    try {
                        task.run();
                    } catch (IllegalStateException tooLarge) {
                        refuseOversize(socket, buffer);
                    } catch (RuntimeException e) {
                        LOG.warn("MLLP connection from {} failed before its first frame: {}", socket.getRemoteSocketAddress(),
                                e.getClass().getSimpleName());
                        buffer.resetSocket(socket);
                    } finally {
                        if (!connection.handedOver()) {
                            connections.release(connection);
                        }
                    }
                });
            } catch (RuntimeException e) {
                buffer.resetSocket(socket);
                connections.release(connection);
            }
        }

        /**
         * camel-mllp's reader for the connection, run on this consumer's pool instead of camel-mllp's (whose limit
         * would refuse a connection only after its first read), so that the connection's place is freed when it ends.
         */
        @Override
        public void startConsumer(Socket socket, MllpSocketBuffer buffer) {
            MllpConnections.Connection connection = buffer instanceof PipelinedFrameBuffer p ? p.connection() : null;
            TcpSocketConsumerRunnable reader = new TcpSocketConsumerRunnable(this, socket, buffer, hl7Util,
                    getEndpoint().getComponent().getLogPhi());
            getConsumerRunnables().put(reader, System.currentTimeMillis());
            if (connection != null) {
                connection.handOver();
            }
            try {
                readers.submit(() -> {
                    try {
                        reader.run();
                    } catch (RuntimeException e) {
                        LOG.warn("MLLP listener {}: connection from {} ended: {}", listener, socket.getInetAddress(),
                                e.getClass().getSimpleName());
                        buffer.resetSocket(socket);
                    } finally {
                        getConsumerRunnables().remove(reader);
                        connections.release(connection);
                    }
                });
                getEndpoint().updateLastConnectionEstablishedTicks();
            } catch (RejectedExecutionException stopping) {
                getConsumerRunnables().remove(reader);
                buffer.resetSocket(socket);
                connections.release(connection);
            }
        }

        private void refuseOversize(Socket socket, MllpSocketBuffer buffer) {
            byte[] read = buffer.toByteArray();
            int start = read.length > 0 && read[0] == 0x0b ? 1 : 0;
            String remote = String.valueOf(socket.getRemoteSocketAddress()).replaceFirst("^/", "");
            byte[] ack = oversize.answer(Arrays.copyOfRange(read, start, read.length), remote);
            try {
                if (ack != null) {
                    OutputStream out = socket.getOutputStream();
                    byte[] framed = new byte[ack.length + 3];
                    framed[0] = 0x0b;
                    System.arraycopy(ack, 0, framed, 1, ack.length);
                    framed[ack.length + 1] = 0x1c;
                    framed[ack.length + 2] = 0x0d;
                    out.write(framed);
                    out.flush();
                    socket.shutdownOutput();
                    drain(socket);
                }
            } catch (IOException e) {
                LOG.debug("Could not answer the oversize frame from {}: {}", remote, e.toString());
            } finally {
                buffer.resetSocket(socket);
            }
        }

        /** Reads and drops what the sender still sends (bounded), so closing does not reset the answer away. */
        private void drain(Socket socket) throws IOException {
            socket.setSoTimeout(2000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            byte[] sink = new byte[64 * 1024];
            InputStream in = socket.getInputStream();
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // discard
            }
        }

        @Override
        protected void doShutdown() throws Exception {
            timeouts.shutdownNow();
            validation.shutdownNow();
            readers.shutdownNow();
            super.doShutdown();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
