package io.carebus.hl7.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.component.mllp.MllpConfiguration;
import org.apache.camel.component.mllp.MllpEndpoint;
import org.apache.camel.component.mllp.MllpTcpServerConsumer;
import org.apache.camel.component.mllp.internal.MllpSocketBuffer;
import org.apache.camel.component.mllp.internal.TcpServerConsumerValidationRunnable;
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
 */
final class GuardedMllpEndpoint extends MllpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedMllpEndpoint.class);

    /** Answers a frame larger than the listener accepts: the framed-less ACK bytes, or null to just close. */
    interface OversizeHandler {
        byte[] answer(byte[] head, String remoteAddress);
    }

    private final OversizeHandler oversize;

    GuardedMllpEndpoint(String uri, MllpComponent component, MllpConfiguration configuration, OversizeHandler oversize) {
        super(uri, component, configuration);
        this.oversize = oversize;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer consumer = new GuardedConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    private final class GuardedConsumer extends MllpTcpServerConsumer {

        private final ExecutorService validation = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "carebus-mllp-first-frame");
            t.setDaemon(true);
            return t;
        });

        GuardedConsumer(MllpEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        @Override
        public void validateConsumer(Socket socket) {
            // camel-mllp's own buffer drops a frame that arrives in the same read as the one before it
            MllpSocketBuffer buffer = new PipelinedFrameBuffer(getEndpoint());
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
                    }
                });
            } catch (RuntimeException e) {
                buffer.resetSocket(socket);
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
            validation.shutdownNow();
            super.doShutdown();
        }
    }
}
