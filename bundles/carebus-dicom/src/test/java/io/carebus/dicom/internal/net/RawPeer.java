package io.carebus.dicom.internal.net;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/** A peer that speaks the DICOM upper layer byte by byte, as an attacker or a broken sender would, from any loopback address. */
public final class RawPeer implements Closeable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code localAddress} (127.0.0.2 and up are loopback on Linux) to 127.0.0.1:port. */
    public static RawPeer connect(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return new RawPeer(socket);
    }

    public Socket socket() {
        return socket;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next PDU, null when the peer closed the connection. */
    public Pdu read() throws IOException {
        return Pdu.read(in, 1 << 20);
    }

    /** An A-ASSOCIATE-RQ proposing Verification on context 1, with {@code padding} bytes of unknown items after it. */
    public static byte[] associateRequest(String callingAe, String calledAe, int padding) {
        byte[] request = Association.encodeRequest(new Association.Request(calledAe, callingAe,
                List.of(new Association.Proposed(1, CommandSet.VERIFICATION, List.of("1.2.840.10008.1.2"))), 16384,
                Association.IMPLEMENTATION_CLASS_UID, Association.IMPLEMENTATION_VERSION));
        ByteBuffer padded = ByteBuffer.allocate(request.length + padding + (padding + 65534) / 65535 * 4);
        padded.put(request);
        for (int left = padding; left > 0; ) {
            int n = Math.min(left, 65535);
            // item type 0x60 is not defined in an A-ASSOCIATE-RQ: a receiver skips it
            padded.put((byte) 0x60).put((byte) 0).putShort((short) n).put(new byte[n]);
            left -= n;
        }
        padded.putInt(2, padded.position() - 6);
        return java.util.Arrays.copyOf(padded.array(), padded.position());
    }

    /** One P-DATA-TF PDU with one command fragment of {@code size} bytes, the "last" bit not set. */
    public static byte[] commandFragment(int context, int size) {
        ByteBuffer pdu = ByteBuffer.allocate(6 + 6 + size);
        pdu.put(Pdu.header(Pdu.P_DATA_TF, 6 + size));
        pdu.putInt(2 + size).put((byte) context).put((byte) 0x01);
        return pdu.array();
    }

    /** Sends command fragments until the connection is cut; the bytes sent then, or -1 when {@code limit} went uncut. */
    public long flood(long limit) {
        byte[] fragment = commandFragment(1, 16 * 1024);
        long sent = 0;
        try {
            while (sent < limit) {
                out.write(fragment);
                sent += fragment.length;
            }
            out.flush();
            return -1;
        } catch (IOException e) {
            return sent;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
