package io.carebus.dicom.internal.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A session's socket input: counts the bytes read (for the log and the caps' tests) and, while a deadline is set,
 * fails a read that would end after it. A socket timeout alone bounds each read, not the whole: a peer trickling one
 * byte per timeout would hold its thread for ever.
 */
final class SessionInput extends FilterInputStream {

    private final Socket socket;
    private long count;
    private long deadline;
    private boolean deadlineSet;

    SessionInput(Socket socket, InputStream in) {
        super(in);
        this.socket = socket;
    }

    long count() {
        return count;
    }

    void deadline(long nanoTime) {
        deadline = nanoTime;
        deadlineSet = true;
    }

    void clearDeadline(int soTimeoutMillis) throws IOException {
        deadlineSet = false;
        socket.setSoTimeout(soTimeoutMillis);
    }

    private void beforeRead() throws IOException {
        if (deadlineSet) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        }
    }

    @Override
    public int read() throws IOException {
        beforeRead();
        int b = super.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        int n = super.read(b, off, len);
        if (n > 0) {
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        beforeRead();
        long skipped = super.skip(n);
        count += Math.max(0, skipped);
        return skipped;
    }
}
