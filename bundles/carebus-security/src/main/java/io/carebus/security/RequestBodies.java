package io.carebus.security;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Request bodies read with a cap, for every CareBus servlet that takes one ({@code /api}, {@code /fhir}): a
 * Content-Length over the cap is refused before a byte is read, and a body without one (chunked) is read up to one
 * byte past the cap and no further, so no request sizes more than {@code max + 1} bytes of heap.
 */
public final class RequestBodies {

    /**
     * What was read. {@code tooLarge}: the body is over the cap, and {@code bytes} holds what was read of it (nothing
     * when Content-Length said so, else the cap plus one byte); the rest was not read.
     */
    public record Body(byte[] bytes, boolean tooLarge) {
    }

    private RequestBodies() {
    }

    /** The request's body when it is at most {@code max} bytes; see {@link Body}. */
    public static Body read(HttpServletRequest req, int max) throws IOException {
        if (max < 0 || max == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cap out of range: " + max);
        }
        if (req.getContentLengthLong() > max) {
            return new Body(new byte[0], true);
        }
        byte[] bytes = readAtMost(req.getInputStream(), max + 1);
        return new Body(bytes, bytes.length > max);
    }

    /**
     * Up to {@code limit} bytes, in a buffer that grows as they arrive (a declared length sizes nothing). Not
     * {@link InputStream#readNBytes(int)}: having read its count, that asks the stream for zero more bytes, and Jetty's
     * request input blocks on such a read until more of the body arrives. A chunked body that stops exactly one byte
     * past the cap then held a thread until the idle time-out instead of being answered 413.
     */
    static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] buffer = new byte[Math.min(limit, 8192)];
        int n = 0;
        while (n < limit) {
            if (n == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
            }
            int read = in.read(buffer, n, buffer.length - n);
            if (read < 0) {
                break;
            }
            n += read;
        }
        return n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
    }

    /**
     * For a 413: the unread rest of the body must not be read as the next request, and reading it to the end is what an
     * attacker wants; closing the connection after the answer stops both.
     */
    public static void closeAfterAnswer(HttpServletResponse resp) {
        resp.setHeader("Connection", "close");
    }
}
