package io.carebus.hl7.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** MLLP framing for the tests that talk to a real listener. */
final class MllpFrames {

    private MllpFrames() {
    }

    static byte[] frame(String message) {
        byte[] body = message.getBytes(StandardCharsets.ISO_8859_1);
        byte[] framed = new byte[body.length + 3];
        framed[0] = 0x0b;
        System.arraycopy(body, 0, framed, 1, body.length);
        framed[body.length + 1] = 0x1c;
        framed[body.length + 2] = 0x0d;
        return framed;
    }

    /** One {@code <VT>...<FS><CR>} answer; an IOException when the peer closes instead of answering. */
    static String read(InputStream in) throws IOException {
        int b = in.read();
        if (b != 0x0b) {
            throw new IOException(b < 0 ? "connection closed without an answer" : "answer does not start with <VT>: " + b);
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        while ((b = in.read()) != 0x1c) {
            if (b < 0) {
                throw new IOException("connection closed inside the answer");
            }
            answer.write(b);
        }
        in.read();
        return answer.toString(StandardCharsets.ISO_8859_1);
    }
}
