package io.carebus.hl7.internal;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.apache.camel.component.mllp.MllpEndpoint;
import org.apache.camel.component.mllp.MllpSocketException;
import org.apache.camel.component.mllp.internal.MllpSocketBuffer;

/**
 * camel-mllp's receive buffer, made to keep what follows a frame. camel-mllp 4.14 empties its buffer after each frame,
 * so when one read brings a frame and the start of the next (a sender that sends its next message before it reads the
 * ACK of the last, or a slow reader on our side), the rest is silently dropped: no ACK, not stored, and nothing logged
 * above camel's ERROR level. Here the bytes after a frame's end, from the next start-of-block on, wait in
 * {@link #pending} and become the buffer's content at the next read, which returns at once when they hold a whole
 * frame; so every frame is answered, in order. Bytes after a frame that start no frame (a stray LF) are dropped, as
 * camel-mllp always did: keeping them would make an idle connection look like a half-received message.
 *
 * <p>The same buffer object also carries the ACK camel-mllp writes back; that path resets it while it holds no
 * received frame, so nothing is taken from {@link #pending} there.
 *
 * <p>It also tells its {@link MllpConnections.Connection} when a frame begins and when one is complete, so that a
 * frame that stalls or trickles in is cut off by time, not only by size. camel-mllp's read loop asks
 * {@link #hasStartOfBlock()} after every read that brought bytes; that is where the first byte of a frame is seen.
 */
final class PipelinedFrameBuffer extends MllpSocketBuffer {

    private static final byte START_OF_BLOCK = 0x0b;

    /** Received bytes not yet handed to camel-mllp: the next frame (or frames, or the start of one). */
    private byte[] pending = new byte[0];

    private final MllpConnections.Connection connection;
    /** True inside {@link #readFrom}: a start-of-block seen while writing an ACK is not a frame arriving. */
    private boolean reading;

    PipelinedFrameBuffer(MllpEndpoint endpoint) {
        this(endpoint, null);
    }

    PipelinedFrameBuffer(MllpEndpoint endpoint, MllpConnections.Connection connection) {
        super(endpoint);
        this.connection = connection;
    }

    MllpConnections.Connection connection() {
        return connection;
    }

    @Override
    public synchronized void reset() {
        byte[] next = nextFrames();
        super.reset();
        if (next.length > 0) {
            // pending, if any, was received before these bytes
            byte[] joined = Arrays.copyOf(pending, pending.length + next.length);
            System.arraycopy(next, 0, joined, pending.length, next.length);
            pending = joined;
        }
    }

    @Override
    public synchronized void readFrom(Socket socket, int receiveTimeout, int readTimeout)
            throws MllpSocketException, SocketTimeoutException {
        reading = true;
        try {
            if (pending.length > 0 && isEmpty()) {
                byte[] next = pending;
                pending = new byte[0];
                write(next);
                if (hasStartOfBlock() && hasCompleteEnvelope()) {
                    return;
                }
            }
            super.readFrom(socket, receiveTimeout, readTimeout);
        } finally {
            reading = false;
            if (connection != null && hasCompleteEnvelope()) {
                connection.frameCompleted();
            }
        }
    }

    @Override
    public synchronized boolean hasStartOfBlock() {
        boolean started = super.hasStartOfBlock();
        if (started && reading && connection != null) {
            connection.frameBegun();
        }
        return started;
    }

    /**
     * Only the size: camel-mllp quotes a half-received first frame this way in its warnings (with logPhi off, too), and
     * a frame is PHI.
     */
    @Override
    public synchronized String toPrintFriendlyString() {
        return isEmpty() ? "" : "[" + size() + " bytes]";
    }

    /** Not out-of-band when it is the next frame: camel-mllp would log that it ignores it. */
    @Override
    public synchronized boolean hasTrailingOutOfBandData() {
        return super.hasTrailingOutOfBandData() && nextFrames().length == 0;
    }

    /** What follows the complete frame in the buffer, from the next start-of-block on; empty if nothing does. */
    private byte[] nextFrames() {
        if (!hasCompleteEnvelope()) {
            return new byte[0];
        }
        byte[] content = toByteArray();
        int from = getEndOfBlockIndex() + (hasEndOfData() ? 2 : 1);
        for (int i = from; i < content.length; i++) {
            if (content[i] == START_OF_BLOCK) {
                return Arrays.copyOfRange(content, i, content.length);
            }
        }
        return new byte[0];
    }
}
