package io.carebus.bench.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One MLLP connection (VT message FS CR framing, as HL7 v2 MLLP release 2), sending one message at a time and reading
 * its acknowledgement before the next.
 */
public final class MllpClient implements AutoCloseable {

    private static final int VT = 0x0b;
    private static final int FS = 0x1c;
    private static final int CR = 0x0d;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public MllpClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMillis);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends one message and returns its acknowledgement (the framed answer, without framing). */
    public String send(String message) throws IOException {
        out.write(frame(message));
        out.flush();
        return readFrame(in);
    }

    static byte[] frame(String message) {
        byte[] body = message.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream framed = new ByteArrayOutputStream(body.length + 3);
        framed.write(VT);
        framed.writeBytes(body);
        framed.write(FS);
        framed.write(CR);
        return framed.toByteArray();
    }

    static String readFrame(InputStream in) throws IOException {
        int b = in.read();
        while (b != VT) {
            if (b < 0) {
                throw new IOException("connection closed before an acknowledgement");
            }
            b = in.read();
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream(256);
        while ((b = in.read()) != FS) {
            if (b < 0) {
                throw new IOException("connection closed inside an acknowledgement");
            }
            answer.write(b);
        }
        if (in.read() != CR) {
            throw new IOException("acknowledgement frame not ended by FS CR");
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    /** MSA-1 of an acknowledgement when MSA-2 is the control id sent, else a description of what came back. */
    public static String ackCode(String ack, String controlId) {
        for (String segment : ack.split("\r")) {
            if (segment.startsWith("MSA|")) {
                String[] f = segment.split("\\|", -1);
                if (f.length > 2 && !f[2].equals(controlId)) {
                    return "MSA-2 " + f[2] + " is not the control id sent";
                }
                return f.length > 1 ? f[1] : "MSA without code";
            }
        }
        return "no MSA segment";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
