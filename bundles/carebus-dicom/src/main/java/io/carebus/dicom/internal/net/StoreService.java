package io.carebus.dicom.internal.net;

import java.io.IOException;

/**
 * What an SCP association hands its C-STOREs to. {@link #begin} is called when the command arrives, the data set's
 * bytes follow through {@link Receiving#write}, and {@link Receiving#finish} decides the status the sender gets: it
 * returns only when the instance is durably kept (Success) or refused (a failure status). {@link Receiving#abandon}
 * is called instead when the association dies first: nothing of that instance may remain.
 */
public interface StoreService {

    /** Who sent what, as the association and the C-STORE-RQ said. */
    record Request(String callingAe, String calledAe, String remoteAddress, String sopClass, String sopInstance,
                   String transferSyntax) {
    }

    /** A DIMSE status and, for failures, a comment (sent as Error Comment, at most 64 characters). */
    record Status(int code, String comment) {
        public static final int SUCCESS = 0x0000;
        /** Refused: out of resources (PS3.4 Table B.2-1). */
        public static final int OUT_OF_RESOURCES = 0xA700;
        /** Error: data set does not match SOP class. */
        public static final int DATA_SET_MISMATCH = 0xA900;
        /** Error: cannot understand. */
        public static final int CANNOT_UNDERSTAND = 0xC000;
        /** Refused: SOP class not supported (PS3.7 Annex C). */
        public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
        /** Refused: not authorized. */
        public static final int NOT_AUTHORIZED = 0x0124;
        /** Unrecognized operation. */
        public static final int UNRECOGNIZED_OPERATION = 0x0211;

        public static Status success() {
            return new Status(SUCCESS, null);
        }

        public boolean ok() {
            return code == SUCCESS || (code & 0xF000) == 0xB000;
        }
    }

    interface Receiving {
        void write(byte[] bytes, int offset, int length) throws IOException;

        Status finish();

        void abandon();
    }

    Receiving begin(Request request);
}
