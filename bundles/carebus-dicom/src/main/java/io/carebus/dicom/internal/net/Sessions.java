package io.carebus.dicom.internal.net;

import java.net.Socket;

/** What an intake hands accepted connections to, and tells of those it did not let in. */
public interface Sessions {

    /**
     * Runs one association to its end on the calling (session) thread.
     * @param associateRq the A-ASSOCIATE-RQ's body when the intake already read it; null when the session must
     */
    void run(Socket socket, byte[] associateRq);

    /** A complete A-ASSOCIATE-RQ answered A-ASSOCIATE-RJ by the intake (e.g. {@code max.associations} run). */
    void rejected(String callingAe, String calledAe, String remote, String reason);

    /**
     * A connection closed before it became an association.
     * @param violation true for a protocol or size violation (worth a WARN and an audit record), false for a cap or
     *        timeout that a flood triggers by the thousand (counted, logged sparingly)
     */
    void dropped(String remote, String why, boolean violation);
}
