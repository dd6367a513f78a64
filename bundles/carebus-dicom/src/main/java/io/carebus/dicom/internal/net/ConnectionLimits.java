package io.carebus.dicom.internal.net;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The SCP's connection caps, decided when a connection is accepted: how many sockets one remote address may hold
 * (negotiating or associated), and how many associations run at once (each holds a session thread).
 */
public final class ConnectionLimits {

    private final int maxAssociations;
    private final int maxPerAddress;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int associations;

    public ConnectionLimits(int maxAssociations, int maxPerAddress) {
        this.maxAssociations = Math.max(1, maxAssociations);
        this.maxPerAddress = Math.max(1, maxPerAddress);
    }

    public int maxAssociations() {
        return maxAssociations;
    }

    public int maxPerAddress() {
        return maxPerAddress;
    }

    /** Takes a socket slot for {@code address}; false when it already holds {@code max.associations.per.address}. */
    public synchronized boolean admit(InetAddress address) {
        int held = perAddress.getOrDefault(address, 0);
        if (held >= maxPerAddress) {
            return false;
        }
        perAddress.put(address, held + 1);
        return true;
    }

    public synchronized void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, held) -> held <= 1 ? null : held - 1);
    }

    /** Takes an association slot; false when {@code max.associations} run. */
    public synchronized boolean startAssociation() {
        if (associations >= maxAssociations) {
            return false;
        }
        associations++;
        return true;
    }

    public synchronized void endAssociation() {
        associations--;
    }

    public synchronized boolean associationsFull() {
        return associations >= maxAssociations;
    }

    public synchronized int associations() {
        return associations;
    }
}
