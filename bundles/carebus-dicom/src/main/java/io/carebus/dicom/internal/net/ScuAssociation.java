package io.carebus.dicom.internal.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;

/**
 * An association CareBus opens to a peer (requestor side): negotiation, C-ECHO, C-STORE of data sets streamed from
 * files, release. TCP_NODELAY is set before the first byte, which PixelMed's SCU never does (its default costs tens
 * of milliseconds per instance). Every read has a timeout, so a peer that stops answering fails the call instead of
 * hanging the sender.
 */
public final class ScuAssociation implements Closeable {

    /** The association was refused (A-ASSOCIATE-RJ) or accepted none of what we need. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /** What to offer: a SOP class and the transfer syntaxes we can send it in. */
    public record Offer(String sopClass, List<String> transferSyntaxes) {
    }

    private static final int OUR_MAX_PDU = 128 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Association.Accept accept;
    private final Map<Integer, Association.Proposed> proposed;
    private int messageId;

    private ScuAssociation(Socket socket, DataInputStream in, OutputStream out, Association.Accept accept,
                           Map<Integer, Association.Proposed> proposed) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.accept = accept;
        this.proposed = proposed;
    }

    /**
     * @param sockets plain or TLS socket factory
     * @param offers what may be sent on this association (verification is always offered)
     */
    public static ScuAssociation open(SocketFactory sockets, String host, int port, String callingAe, String calledAe,
                                      List<Offer> offers, int timeoutMillis) throws IOException {
        Socket socket = sockets.createSocket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 16 * 1024));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            Map<Integer, Association.Proposed> proposed = new LinkedHashMap<>();
            int id = 1;
            proposed.put(id, new Association.Proposed(id, CommandSet.VERIFICATION, List.of("1.2.840.10008.1.2")));
            for (Offer offer : offers) {
                id += 2;
                if (id > 255) {
                    throw new IllegalArgumentException("more than 127 presentation contexts");
                }
                proposed.put(id, new Association.Proposed(id, offer.sopClass(), offer.transferSyntaxes()));
            }
            out.write(Association.encodeRequest(new Association.Request(calledAe, callingAe, new ArrayList<>(proposed.values()),
                    OUR_MAX_PDU, Association.IMPLEMENTATION_CLASS_UID, Association.IMPLEMENTATION_VERSION)));
            out.flush();
            Pdu pdu = Pdu.read(in, 1 << 20);
            if (pdu == null) {
                throw new EOFException("peer closed the connection instead of answering A-ASSOCIATE-RQ");
            }
            if (pdu.type() == Pdu.ASSOCIATE_RJ) {
                byte[] b = pdu.body();
                throw new RefusedException("association rejected by " + calledAe + "@" + host + ":" + port + " (result "
                        + (b.length > 1 ? b[1] : -1) + ", source " + (b.length > 2 ? b[2] : -1) + ", reason "
                        + (b.length > 3 ? b[3] : -1) + ")");
            }
            if (pdu.type() != Pdu.ASSOCIATE_AC) {
                throw new Pdu.ProtocolException("peer answered A-ASSOCIATE-RQ with " + Pdu.name(pdu.type()));
            }
            return new ScuAssociation(socket, in, out, Association.parseAccept(pdu.body()), proposed);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The accepted presentation context for this SOP class and transfer syntax, or -1. */
    public int contextFor(String sopClass, String transferSyntax) {
        for (Association.Proposed p : proposed.values()) {
            Association.Answered a = accept.contexts().get(p.id());
            if (p.abstractSyntax().equals(sopClass) && a != null && a.accepted() && transferSyntax.equals(a.transferSyntax())) {
                return p.id();
            }
        }
        return -1;
    }

    /** C-ECHO; returns the status (0 = success). */
    public int echo() throws IOException {
        int context = contextFor(CommandSet.VERIFICATION, "1.2.840.10008.1.2");
        if (context < 0) {
            throw new RefusedException("peer did not accept the Verification SOP class");
        }
        CommandSet request = CommandSet.echoRequest(++messageId);
        PDataOutput.send(out, context, true, accept.maxLength(), request.encode());
        return readResponse(request).ushort(CommandSet.STATUS);
    }

    /** The response's status and error comment. */
    public record Response(int status, String comment) {
    }

    /**
     * Sends one data set (the bytes after the Part 10 file meta information) and waits for the C-STORE-RSP.
     * @throws RefusedException when no presentation context for this SOP class and transfer syntax was accepted
     */
    public Response store(String sopClass, String sopInstance, String transferSyntax, InputStream dataSet) throws IOException {
        int context = contextFor(sopClass, transferSyntax);
        if (context < 0) {
            throw new RefusedException("peer accepted no presentation context for " + sopClass + " in " + transferSyntax);
        }
        CommandSet request = CommandSet.storeRequest(sopClass, sopInstance, ++messageId);
        PDataOutput.send(out, context, true, accept.maxLength(), request.encode());
        try (PDataOutput data = new PDataOutput(out, context, false, accept.maxLength())) {
            dataSet.transferTo(data);
        }
        out.flush();
        CommandSet response = readResponse(request);
        return new Response(response.ushort(CommandSet.STATUS), response.string(CommandSet.ERROR_COMMENT));
    }

    private CommandSet readResponse(CommandSet request) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            Pdu pdu = Pdu.read(in, Math.max(OUR_MAX_PDU, 1 << 20));
            if (pdu == null) {
                throw new EOFException("peer closed the association before responding");
            }
            if (pdu.type() == Pdu.ABORT) {
                throw new IOException("peer aborted the association");
            }
            if (pdu.type() != Pdu.P_DATA_TF) {
                throw new Pdu.ProtocolException("expected a response, got " + Pdu.name(pdu.type()));
            }
            byte[] body = pdu.body();
            for (Pdu.Pdv pdv : Pdu.pdvs(body)) {
                if (pdv.command()) {
                    bytes.write(body, pdv.offset(), pdv.length());
                    if (pdv.last()) {
                        CommandSet response = CommandSet.parse(bytes.toByteArray());
                        if (response.ushort(CommandSet.MESSAGE_ID_RESPONDED_TO) != request.ushort(CommandSet.MESSAGE_ID)) {
                            throw new Pdu.ProtocolException("response to message " + response.ushort(CommandSet.MESSAGE_ID_RESPONDED_TO)
                                    + ", expected " + request.ushort(CommandSet.MESSAGE_ID));
                        }
                        return response;
                    }
                }
            }
        }
    }

    /** A-RELEASE; falls back to closing the socket when the peer does not answer properly. */
    public void release() throws IOException {
        try {
            out.write(Pdu.releaseRequest());
            out.flush();
            Pdu pdu = Pdu.read(in, 1 << 16);
            if (pdu != null && pdu.type() != Pdu.RELEASE_RP) {
                throw new Pdu.ProtocolException("peer answered A-RELEASE-RQ with " + Pdu.name(pdu.type()));
            }
        } finally {
            socket.close();
        }
    }

    public void abort() {
        try {
            out.write(Pdu.abort(0, 0));
            out.flush();
        } catch (IOException ignored) {
            // going away
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (!socket.isClosed()) {
            release();
        }
    }
}
