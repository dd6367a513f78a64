package io.carebus.dicom.internal.net;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * One DICOM upper-layer PDU (PS3.8 §9.3): its type and the bytes after the 6-byte header. Reading refuses a PDU longer
 * than the caller allows before allocating it, so a lying length cannot exhaust memory.
 */
public record Pdu(int type, byte[] body) {

    public static final int ASSOCIATE_RQ = 0x01;
    public static final int ASSOCIATE_AC = 0x02;
    public static final int ASSOCIATE_RJ = 0x03;
    public static final int P_DATA_TF = 0x04;
    public static final int RELEASE_RQ = 0x05;
    public static final int RELEASE_RP = 0x06;
    public static final int ABORT = 0x07;

    /** Thrown for a PDU the protocol does not allow here (unknown type, too long): the association must be aborted. */
    public static class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * A size cap was exceeded (a PDU, an A-ASSOCIATE-RQ, a command set): the association is aborted, and the event is
     * worth a warning and an audit record, as a flood would be.
     */
    public static final class LimitException extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public LimitException(String message) {
            super(message);
        }
    }

    /**
     * An A-ASSOCIATE-RQ is a few hundred bytes, a user identity item with a Kerberos ticket or SAML assertion a few
     * KB; PS3.8 sets no bound, so this is the SCP's.
     */
    public static final int MAX_ASSOCIATE_RQ = 64 * 1024;

    /** One presentation data value of a P-DATA-TF PDU: where its bytes are in the PDU body, and its control header. */
    public record Pdv(int context, boolean command, boolean last, int offset, int length) {
    }

    /** The PDVs of a P-DATA-TF PDU's body, each checked to fit. */
    public static java.util.List<Pdv> pdvs(byte[] body) throws ProtocolException {
        java.util.List<Pdv> pdvs = new java.util.ArrayList<>(2);
        int at = 0;
        while (at < body.length) {
            if (body.length - at < 6) {
                throw new ProtocolException("truncated PDV item");
            }
            int length = ((body[at] & 0xFF) << 24) | ((body[at + 1] & 0xFF) << 16) | ((body[at + 2] & 0xFF) << 8) | (body[at + 3] & 0xFF);
            if (length < 2 || length > body.length - at - 4) {
                throw new ProtocolException("PDV item length " + length + " does not fit its PDU");
            }
            int control = body[at + 5];
            pdvs.add(new Pdv(body[at + 4] & 0xFF, (control & 1) != 0, (control & 2) != 0, at + 6, length - 2));
            at += 4 + length;
        }
        return pdvs;
    }

    /** Reads the next PDU; null when the peer closed the connection cleanly between PDUs. */
    public static Pdu read(DataInputStream in, long maxBody) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        in.readUnsignedByte();
        long length = in.readInt() & 0xFFFFFFFFL;
        if (type < ASSOCIATE_RQ || type > ABORT) {
            throw new ProtocolException("unknown PDU type 0x" + Integer.toHexString(type));
        }
        if (length > maxBody) {
            throw new LimitException("PDU type 0x" + Integer.toHexString(type) + " of " + length + " bytes exceeds the "
                    + maxBody + " allowed");
        }
        byte[] body = new byte[(int) length];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            throw new EOFException("connection closed inside a PDU of " + length + " bytes");
        }
        return new Pdu(type, body);
    }

    public static byte[] header(int type, int length) {
        return new byte[] {(byte) type, 0, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    public static byte[] associateReject(int result, int source, int reason) {
        return new byte[] {ASSOCIATE_RJ, 0, 0, 0, 0, 4, 0, (byte) result, (byte) source, (byte) reason};
    }

    public static byte[] releaseRequest() {
        return new byte[] {RELEASE_RQ, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    }

    public static byte[] releaseResponse() {
        return new byte[] {RELEASE_RP, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    }

    /** @param source 0 service user, 2 service provider; @param reason 0 unspecified, 1 unrecognized PDU, 2 unexpected PDU */
    public static byte[] abort(int source, int reason) {
        return new byte[] {ABORT, 0, 0, 0, 0, 4, 0, 0, (byte) source, (byte) reason};
    }

    /** A readable name for logs: the PDU's type as the standard calls it. */
    public static String name(int type) {
        return switch (type) {
            case ASSOCIATE_RQ -> "A-ASSOCIATE-RQ";
            case ASSOCIATE_AC -> "A-ASSOCIATE-AC";
            case ASSOCIATE_RJ -> "A-ASSOCIATE-RJ";
            case P_DATA_TF -> "P-DATA-TF";
            case RELEASE_RQ -> "A-RELEASE-RQ";
            case RELEASE_RP -> "A-RELEASE-RP";
            case ABORT -> "A-ABORT";
            default -> "0x" + Integer.toHexString(type);
        };
    }

    static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
