package io.carebus.dicom.internal.net;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one message (a command or a data set) as P-DATA-TF PDUs of one PDV each, none longer than the peer's
 * maximum length, marking the last fragment on {@link #close()}. Fragments are built in one buffer and written with
 * one call each, so a PDU is one TCP write (with TCP_NODELAY on, one segment train, no Nagle wait).
 */
public final class PDataOutput extends OutputStream {

    /** PDU header (6) + PDV item length (4) + context id (1) + control header (1). */
    private static final int OVERHEAD = 12;
    /** Used when the peer sets no limit (0): large enough to be efficient, small enough to interleave. */
    private static final int UNLIMITED_DEFAULT = 1 << 20;

    private final OutputStream socket;
    private final int contextId;
    private final boolean command;
    private final byte[] buffer;
    private int count = OVERHEAD;
    private boolean closed;

    /** @param peerMaxLength the maximum PDU length the peer said it receives (0 = no limit) */
    public PDataOutput(OutputStream socket, int contextId, boolean command, long peerMaxLength) {
        this.socket = socket;
        this.contextId = contextId;
        this.command = command;
        long max = peerMaxLength <= 0 || peerMaxLength > UNLIMITED_DEFAULT ? UNLIMITED_DEFAULT : peerMaxLength;
        // The PDU length (the limit) counts the PDV item's 4-byte length, context id and header, not the PDU header.
        this.buffer = new byte[(int) Math.max(max + 6, OVERHEAD + 2)];
    }

    /** Sends {@code bytes} as one complete message. */
    public static void send(OutputStream socket, int contextId, boolean command, long peerMaxLength, byte[] bytes) throws IOException {
        try (PDataOutput out = new PDataOutput(socket, contextId, command, peerMaxLength)) {
            out.write(bytes);
        }
        socket.flush();
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buffer.length) {
            flushFragment(false);
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (count == buffer.length) {
                flushFragment(false);
            }
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    private void flushFragment(boolean last) throws IOException {
        int data = count - OVERHEAD;
        int pdvLength = data + 2;
        int pduLength = pdvLength + 4;
        buffer[0] = (byte) Pdu.P_DATA_TF;
        buffer[1] = 0;
        putInt(buffer, 2, pduLength);
        putInt(buffer, 6, pdvLength);
        buffer[10] = (byte) contextId;
        buffer[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
        socket.write(buffer, 0, count);
        count = OVERHEAD;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            flushFragment(true);
        }
    }
}
