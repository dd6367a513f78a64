package io.carebus.security.internal;

/** The host part of the client addresses JAAS callers name: "127.0.0.2", "/127.0.0.2:51234", "[::1]:22", "::1". */
final class ClientAddresses {

    private ClientAddresses() {
    }

    static String host(String address) {
        String a = address.strip();
        if (a.startsWith("/")) {
            a = a.substring(1);
        }
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        int colon = a.indexOf(':');
        // One colon: IPv4 or a name with a port. More than one: a bare IPv6 address, kept whole.
        return colon > 0 && colon == a.lastIndexOf(':') ? a.substring(0, colon) : a;
    }
}
