package io.carebus.dicom.internal.net;

import java.util.List;
import java.util.Set;

/**
 * What an SCP accepts: its AE title, the calling AE titles allowed (empty = any), the storage SOP classes, the transfer
 * syntaxes in order of preference, the largest PDU it receives, how long an idle association may stay open, and how
 * long a connection may take to send its A-ASSOCIATE-RQ (ARTIM).
 */
public record ScpPolicy(String aeTitle, Set<String> allowedCallingAes, Set<String> sopClasses, List<String> transferSyntaxes,
                        int maxPduLength, int idleTimeoutMillis, int artimMillis) {

    public ScpPolicy {
        allowedCallingAes = Set.copyOf(allowedCallingAes);
        sopClasses = Set.copyOf(sopClasses);
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    public boolean callingAllowed(String callingAe) {
        return allowedCallingAes.isEmpty() || allowedCallingAes.contains(callingAe);
    }
}
