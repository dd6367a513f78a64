package io.carebus.dicom.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multipart/related body (RFC 2387, as STOW-RS sends it, PS3.18 §8.6) spooled to a file, split into its parts:
 * headers (names in lower case) and where each part's content lies in the file. One pass over the file, nothing of
 * a part's content in memory; each part's headers are capped, and so is the number of parts.
 */
final class MultipartRelated {

    /** RFC 2046 §5.1.1 lines are short; a part's header block longer than this is not a STOW-RS part. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** More parts than this in one request: refused (each costs a line of the answer, held until it is sent). */
    static final int MAX_PARTS = 10_000;

    record Part(Map<String, String> headers, long start, long end) {
        String contentType() {
            return headers.getOrDefault("content-type", "application/octet-stream");
        }

        long length() {
            return end - start;
        }
    }

    /** The body is not a well-formed multipart/related body. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private static final Pattern PARAMETER = Pattern.compile(";\\s*([A-Za-z0-9_-]+)\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)");

    private MultipartRelated() {
    }

    /** Parameters of a Content-Type value ({@code boundary}, {@code type}), names in lower case. */
    static Map<String, String> parameters(String contentType) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Matcher m = PARAMETER.matcher(contentType);
        while (m.find()) {
            parameters.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return parameters;
    }

    static List<Part> parse(Path body, String boundary) throws IOException, MalformedException {
        if (boundary.length() > 70 || boundary.indexOf('\n') >= 0 || boundary.indexOf('\r') >= 0) {
            throw new MalformedException("boundary is not an RFC 2046 boundary");
        }
        // A delimiter is "--boundary" at the start of a line: searched for with the line break before it.
        byte[] delimiter = ("\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        try (Scanner in = new Scanner(Files.newInputStream(body))) {
            if (in.find(delimiter) < 0) {
                throw new MalformedException("no boundary " + boundary + " in the body");
            }
            List<Part> parts = new ArrayList<>();
            while (true) {
                int c = in.next();
                if (c == '-') {
                    c = in.next();
                    if (c == '-') {
                        return parts;
                    }
                }
                if (parts.size() == MAX_PARTS) {
                    throw new MalformedException("more than " + MAX_PARTS + " parts in one request");
                }
                // transport padding after the delimiter, then its line break
                for (int skipped = 0; c != '\n'; skipped++) {
                    if (c < 0 || skipped > 1000) {
                        throw new MalformedException("a boundary line that does not end");
                    }
                    c = in.next();
                }
                Map<String, String> headers = headers(in);
                long start = in.position();
                if (in.find(delimiter) < 0) {
                    throw new MalformedException("the last part is not closed by --" + boundary + "--");
                }
                parts.add(new Part(headers, start, Math.max(start, in.matchStart())));
            }
        }
    }

    private static Map<String, String> headers(Scanner in) throws IOException, MalformedException {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int c = in.next();
            if (c < 0) {
                throw new MalformedException("a part without the blank line after its headers");
            }
            if (++total > MAX_HEADER_BYTES) {
                throw new MalformedException("a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (c != '\n') {
                line.write(c);
                continue;
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                return headers;
            }
            int colon = text.indexOf(':');
            if (colon > 0) {
                headers.put(text.substring(0, colon).strip().toLowerCase(Locale.ROOT), text.substring(colon + 1).strip());
            }
        }
    }

    /** A part's content, read from the spooled body. */
    static InputStream open(Path body, Part part) throws IOException {
        FileChannel channel = FileChannel.open(body, StandardOpenOption.READ);
        return new BufferedInputStream(new InputStream() {
            private long at = part.start();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                long left = part.end() - at;
                if (left <= 0) {
                    return -1;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), at);
                if (n > 0) {
                    at += n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        }, 64 * 1024);
    }

    /** Reads bytes, knowing its position, and finds delimiters preceded by a line break. */
    private static final class Scanner implements AutoCloseable {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int at;
        private int filled;
        private long position;
        private int previous = '\n';
        private long matchStart = -1;

        Scanner(InputStream in) {
            this.in = in;
        }

        long position() {
            return position;
        }

        private int read() throws IOException {
            if (at == filled) {
                filled = in.read(buffer);
                at = 0;
                if (filled <= 0) {
                    filled = 0;
                    return -1;
                }
            }
            return buffer[at++] & 0xFF;
        }

        int next() throws IOException {
            int c = read();
            if (c >= 0) {
                position++;
                previous = c;
            }
            return c;
        }

        /** Where the content before the last delimiter found ends (its CRLF or LF excluded). */
        long matchStart() {
            return matchStart;
        }

        /**
         * Reads up to and including the next {@code pattern} ("\n--boundary"); the line break that ended the previous
         * read (or the body's start) counts as its first byte. Its position after the pattern, or -1 at the end.
         * Only the first byte of the pattern is a line break, so after a mismatch the search restarts at 0 or at 1.
         */
        long find(byte[] pattern) throws IOException {
            int matched = previous == '\n' ? 1 : 0;
            boolean crBefore = false;
            long lineBreakAt = position - 1;
            int before = previous;
            while (matched < pattern.length) {
                int c = read();
                if (c < 0) {
                    return -1;
                }
                position++;
                if (c == pattern[matched]) {
                    matched++;
                    if (matched == 1) {
                        lineBreakAt = position - 1;
                        crBefore = before == '\r';
                    }
                } else if (c == '\n') {
                    matched = 1;
                    lineBreakAt = position - 1;
                    crBefore = before == '\r';
                } else {
                    matched = 0;
                }
                before = c;
                previous = c;
            }
            matchStart = crBefore ? lineBreakAt - 1 : lineBreakAt;
            return position;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
