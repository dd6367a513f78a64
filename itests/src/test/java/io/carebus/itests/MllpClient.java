package io.carebus.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal MLLP client for the tests: frames a message, reads one framed answer. */
final class MllpClient {

    private MllpClient() {
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

    /** Reads one {@code <VT>...<FS><CR>} answer. */
    static String readFrame(InputStream in) throws IOException {
        int b = in.read();
        if (b != 0x0b) {
            throw new IOException("answer does not start with <VT>: " + b);
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

    /** Sends one message on a new connection and returns the answer. */
    static String exchange(int port, String message) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(frame(message));
            return readFrame(socket.getInputStream());
        }
    }
}
