package io.carebus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    /** Counts what the servlet read of the body. */
    private static final class CountingInput extends ServletInputStream {
        private final InputStream in;
        final AtomicLong read = new AtomicLong();

        CountingInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                read.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                read.addAndGet(n);
            }
            return n;
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException();
        }
    }

    /** An endless body: what a chunked sender that never stops looks like. */
    private static InputStream endless() {
        return new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
    }

    private static HttpServletRequest request(long contentLength, ServletInputStream body) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestBodiesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getContentLengthLong" -> contentLength;
                    case "getContentLength" -> (int) Math.min(Integer.MAX_VALUE, contentLength);
                    case "getInputStream" -> body;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aContentLengthOverTheCapIsRefusedWithoutReadingAByte() throws IOException {
        CountingInput body = new CountingInput(endless());
        RequestBodies.Body read = RequestBodies.read(request(10_000_001, body), 10_000_000);
        assertThat(read.tooLarge()).isTrue();
        assertThat(read.bytes()).isEmpty();
        assertThat(body.read.get()).isZero();
    }

    @Test
    void aChunkedBodyIsReadOneBytePastTheCapAndNoFurther() throws IOException {
        CountingInput body = new CountingInput(endless());
        RequestBodies.Body read = RequestBodies.read(request(-1, body), 1000);
        assertThat(read.tooLarge()).isTrue();
        assertThat(read.bytes()).hasSize(1001);
        assertThat(body.read.get()).isEqualTo(1001);
    }

    @Test
    void aBodyUpToTheCapIsReadWhole() throws IOException {
        byte[] exact = new byte[1000];
        Arrays.fill(exact, (byte) 'y');
        assertThat(RequestBodies.read(request(-1, new CountingInput(new ByteArrayInputStream(exact))), 1000))
                .satisfies(b -> assertThat(b.tooLarge()).isFalse()).satisfies(b -> assertThat(b.bytes()).isEqualTo(exact));
        assertThat(RequestBodies.read(request(1000, new CountingInput(new ByteArrayInputStream(exact))), 1000).bytes()).isEqualTo(exact);
        assertThat(RequestBodies.read(request(0, new CountingInput(new ByteArrayInputStream(new byte[0]))), 1000).bytes()).isEmpty();
    }

    /**
     * A chunked body that stops exactly one byte past the cap and holds the connection: Jetty blocks on any read,
     * a zero-length one included, until more arrives. The cap must be recognised without another read.
     */
    @Test
    void aBodyThatStopsOneBytePastTheCapIsRecognisedWithoutWaitingForMore() throws IOException {
        int max = 100_000;
        ServletInputStream held = new CountingInput(new InputStream() {
            private int left = max + 1;

            @Override
            public int read() {
                throw new AssertionError("single-byte read");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0 || left == 0) {
                    throw new AssertionError("a read after the body stopped (len " + len + "): Jetty would block here");
                }
                int n = Math.min(Math.min(len, left), 4096);
                Arrays.fill(b, off, off + n, (byte) 'z');
                left -= n;
                return n;
            }
        });
        RequestBodies.Body read = RequestBodies.read(request(-1, held), max);
        assertThat(read.tooLarge()).isTrue();
        assertThat(read.bytes()).hasSize(max + 1);
    }

    @Test
    void aContentLengthThatLiesLowIsNoWayAroundTheCap() throws IOException {
        CountingInput body = new CountingInput(endless());
        RequestBodies.Body read = RequestBodies.read(request(10, body), 1000);
        assertThat(read.tooLarge()).isTrue();
        assertThat(body.read.get()).isEqualTo(1001);
    }
}
