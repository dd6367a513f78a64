package io.carebus.hl7.internal;

import ca.uhn.hl7v2.ErrorCode;

/** Why a message is refused: AR (reject: the sender must not resend it as is) or AE (error), and the HL7 error code. */
record Rejection(boolean reject, ErrorCode code, String text) {

    static Rejection reject(ErrorCode code, String text) {
        return new Rejection(true, code, text);
    }

    static Rejection error(ErrorCode code, String text) {
        return new Rejection(false, code, text);
    }
}
