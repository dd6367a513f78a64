package io.carebus.dicom.internal.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One association accepted by the SCP (PS3.8 state machine, acceptor side): negotiation, then C-ECHO and C-STORE until
 * release or abort. The C-STORE response is written only after {@link StoreService.Receiving#finish()} returned, so
 * Success means stored. Anything the protocol does not allow aborts the association; whatever was being received
 * then is abandoned.
 */
public final class ScpSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ScpSession.class);
    /**
     * A command set is a few hundred bytes (PS3.7 §9.3, §E.1); fragments beyond this are a flood, not a command, and
     * abort the association before they can grow the heap.
     */
    static final int MAX_COMMAND_SET = 64 * 1024;
    /** Tolerance over our advertised maximum: some senders count the PDU header in. */
    private static final int PDU_SLACK = 64;

    /** What happened to an association, for the caller's log and audit. */
    public interface Events {
        void refused(String callingAe, String calledAe, String remote, String reason);

        /** @param bytesRead what the session read from the socket, A-ASSOCIATE-RQ included */
        void closed(String callingAe, String remote, int stored, int failed, String how, long bytesRead);

        /** The association was aborted because the peer exceeded a size cap (no PHI in {@code what}). */
        void exceeded(String callingAe, String remote, String what);
    }

    private final Socket socket;
    private final ScpPolicy policy;
    private final StoreService store;
    private final Events events;
    private final byte[] associateRq;
    private SessionInput input;

    private String callingAe = "?";
    private String calledAe;
    private long peerMaxLength;
    private final Map<Integer, Association.Answered> accepted = new LinkedHashMap<>();
    private final Map<Integer, String> abstractSyntaxes = new LinkedHashMap<>();
    private int stored;
    private int failed;

    /**
     * @param associateRq the A-ASSOCIATE-RQ's body when the intake already read it; null when this session reads it
     *        (TLS), within the ARTIM timeout
     */
    public ScpSession(Socket socket, ScpPolicy policy, StoreService store, Events events, byte[] associateRq) {
        this.socket = socket;
        this.policy = policy;
        this.store = store;
        this.events = events;
        this.associateRq = associateRq;
    }

    private String remote() {
        return socket.getInetAddress().getHostAddress();
    }

    @Override
    public void run() {
        String how = "closed";
        boolean negotiated = false;
        try {
            socket.setTcpNoDelay(true);
            input = new SessionInput(socket, socket.getInputStream());
            DataInputStream in = new DataInputStream(new BufferedInputStream(input, 64 * 1024));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            byte[] request = associateRq;
            if (request == null) {
                input.deadline(System.nanoTime() + policy.artimMillis() * 1_000_000L);
                request = readAssociateRequest(in);
            }
            input.clearDeadline(policy.idleTimeoutMillis());
            negotiated = true;
            if (negotiate(request, out)) {
                how = serve(in, out);
            } else {
                how = "refused";
            }
        } catch (SocketTimeoutException e) {
            how = negotiated ? "aborted: idle for " + policy.idleTimeoutMillis() / 1000 + " s"
                    : "aborted: no A-ASSOCIATE-RQ within " + policy.artimMillis() + " ms (ARTIM)";
            abortQuietly();
        } catch (Pdu.LimitException e) {
            how = "aborted: " + e.getMessage();
            abortQuietly();
            events.exceeded(callingAe, remote(), e.getMessage());
        } catch (Pdu.ProtocolException e) {
            how = "aborted: " + e.getMessage();
            abortQuietly();
        } catch (EOFException e) {
            how = "connection lost" + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (IOException e) {
            how = "connection lost: " + e.getMessage();
        } catch (RuntimeException e) {
            LOG.error("DICOM association from {} failed", remote(), e);
            how = "aborted: " + e;
            abortQuietly();
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
            if (!"refused".equals(how)) {
                long read = (associateRq == null ? 0 : associateRq.length + 6L) + (input == null ? 0 : input.count());
                events.closed(callingAe, remote(), stored, failed, how, read);
            }
        }
    }

    private static byte[] readAssociateRequest(DataInputStream in) throws IOException {
        Pdu pdu = Pdu.read(in, Pdu.MAX_ASSOCIATE_RQ);
        if (pdu == null) {
            throw new EOFException("closed before A-ASSOCIATE-RQ");
        }
        if (pdu.type() != Pdu.ASSOCIATE_RQ) {
            throw new Pdu.ProtocolException(Pdu.name(pdu.type()) + " before A-ASSOCIATE-RQ");
        }
        return pdu.body();
    }

    private boolean negotiate(byte[] body, OutputStream out) throws IOException {
        Association.Request request = Association.parseRequest(body);
        callingAe = request.callingAe();
        calledAe = request.calledAe();
        if (!policy.aeTitle().equals(request.calledAe())) {
            return reject(out, 1, 1, 7, "called AE title " + request.calledAe() + " is not " + policy.aeTitle());
        }
        if (!policy.callingAllowed(request.callingAe())) {
            return reject(out, 1, 1, 3, "calling AE title " + request.callingAe() + " is not allowed");
        }
        peerMaxLength = request.maxLength();
        for (Association.Proposed proposed : request.contexts()) {
            accepted.put(proposed.id(), answer(proposed));
            abstractSyntaxes.put(proposed.id(), proposed.abstractSyntax());
        }
        out.write(Association.encodeAccept(new Association.Accept(request.calledAe(), request.callingAe(), accepted,
                policy.maxPduLength(), Association.IMPLEMENTATION_CLASS_UID, Association.IMPLEMENTATION_VERSION)));
        out.flush();
        return true;
    }

    private Association.Answered answer(Association.Proposed proposed) {
        boolean verification = CommandSet.VERIFICATION.equals(proposed.abstractSyntax());
        if (!verification && !policy.sopClasses().contains(proposed.abstractSyntax())) {
            return new Association.Answered(proposed.id(), Association.ABSTRACT_SYNTAX_NOT_SUPPORTED, null);
        }
        List<String> ours = verification ? List.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1") : policy.transferSyntaxes();
        // The sender's order, not ours: it lists first what its data already is, and instances are kept as received
        // (choosing uncompressed for a JPEG proposal would make the sender transcode, or fail as dcmtk does).
        for (String offered : proposed.transferSyntaxes()) {
            if (ours.contains(offered)) {
                return new Association.Answered(proposed.id(), Association.ACCEPTANCE, offered);
            }
        }
        return new Association.Answered(proposed.id(), Association.TRANSFER_SYNTAXES_NOT_SUPPORTED, null);
    }

    private boolean reject(OutputStream out, int result, int source, int reason, String why) throws IOException {
        out.write(Pdu.associateReject(result, source, reason));
        out.flush();
        events.refused(callingAe, calledAe, remote(), why);
        return false;
    }

    /** The data transfer state: returns how the association ended. */
    private String serve(DataInputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream commandBytes = new ByteArrayOutputStream();
        CommandSet command = null;
        int commandContext = -1;
        StoreService.Receiving receiving = null;
        StoreService.Status early = null;
        try {
            while (true) {
                Pdu pdu = Pdu.read(in, (long) policy.maxPduLength() + PDU_SLACK);
                if (pdu == null) {
                    return "connection closed without release";
                }
                switch (pdu.type()) {
                    case Pdu.P_DATA_TF -> {
                        byte[] body = pdu.body();
                        for (Pdu.Pdv pdv : Pdu.pdvs(body)) {
                            int context = pdv.context();
                            boolean isCommand = pdv.command();
                            boolean last = pdv.last();
                            Association.Answered pc = accepted.get(context);
                            if (pc == null || !pc.accepted()) {
                                throw new Pdu.ProtocolException("PDV on presentation context " + context + ", which was not accepted");
                            }
                            int dataAt = pdv.offset();
                            int dataLength = pdv.length();
                            if (isCommand) {
                                if (command != null) {
                                    throw new Pdu.ProtocolException("a command arrived while a data set was expected");
                                }
                                if (commandBytes.size() + (long) dataLength > MAX_COMMAND_SET) {
                                    throw new Pdu.LimitException("command set larger than " + MAX_COMMAND_SET + " bytes");
                                }
                                commandBytes.write(body, dataAt, dataLength);
                                if (last) {
                                    command = CommandSet.parse(commandBytes.toByteArray());
                                    commandBytes.reset();
                                    commandContext = context;
                                    int field = command.ushort(CommandSet.COMMAND_FIELD);
                                    if (field == CommandSet.C_ECHO_RQ) {
                                        respond(out, context, CommandSet.response(command, StoreService.Status.SUCCESS, null));
                                        command = command.hasDataSet() ? command : null;
                                    } else if (field == CommandSet.C_STORE_RQ) {
                                        String sopClass = command.string(CommandSet.AFFECTED_SOP_CLASS);
                                        if (sopClass == null || !sopClass.equals(abstractSyntaxes.get(context))) {
                                            early = new StoreService.Status(StoreService.Status.SOP_CLASS_NOT_SUPPORTED,
                                                    "SOP class differs from the presentation context's");
                                        } else {
                                            receiving = store.begin(new StoreService.Request(callingAe, calledAe, remote(), sopClass,
                                                    command.string(CommandSet.AFFECTED_SOP_INSTANCE), pc.transferSyntax()));
                                        }
                                        if (!command.hasDataSet()) {
                                            throw new Pdu.ProtocolException("C-STORE-RQ without a data set");
                                        }
                                    } else {
                                        early = new StoreService.Status(StoreService.Status.UNRECOGNIZED_OPERATION,
                                                "only C-ECHO and C-STORE are served");
                                        if (!command.hasDataSet()) {
                                            respond(out, context, CommandSet.response(command, early.code(), early.comment()));
                                            command = null;
                                            early = null;
                                        }
                                    }
                                }
                            } else {
                                if (command == null || context != commandContext) {
                                    throw new Pdu.ProtocolException("data set fragment without its command");
                                }
                                if (receiving != null) {
                                    receiving.write(body, dataAt, dataLength);
                                }
                                if (last) {
                                    StoreService.Status status;
                                    if (receiving != null) {
                                        StoreService.Receiving done = receiving;
                                        receiving = null;
                                        status = done.finish();
                                    } else {
                                        status = early;
                                    }
                                    if (command.ushort(CommandSet.COMMAND_FIELD) == CommandSet.C_STORE_RQ) {
                                        if (status.ok()) {
                                            stored++;
                                        } else {
                                            failed++;
                                        }
                                    }
                                    respond(out, context, CommandSet.response(command, status.code(), status.comment()));
                                    command = null;
                                    early = null;
                                }
                            }
                        }
                    }
                    case Pdu.RELEASE_RQ -> {
                        if (command != null) {
                            throw new Pdu.ProtocolException("A-RELEASE-RQ in the middle of a C-STORE");
                        }
                        out.write(Pdu.releaseResponse());
                        out.flush();
                        return "released";
                    }
                    case Pdu.ABORT -> {
                        return "aborted by the peer";
                    }
                    default -> throw new Pdu.ProtocolException("unexpected " + Pdu.name(pdu.type()));
                }
            }
        } finally {
            if (receiving != null) {
                receiving.abandon();
                failed++;
            }
        }
    }

    private void respond(OutputStream out, int context, CommandSet response) throws IOException {
        PDataOutput.send(out, context, true, peerMaxLength, response.encode());
    }

    private void abortQuietly() {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(Pdu.abort(2, 0));
            out.flush();
        } catch (IOException | RuntimeException ignored) {
            // the connection is going away anyway
        }
    }
}
