package io.carebus.security.internal;

/** The host part of the client addresses JAAS callers name: "127.0.0.2", "/127.0.0.2:51234", "[::1]:22", "::1". */
final class ClientAddresses {

    private ClientAddresses() {
    }

    /**
     * Whether {@code remoteAddress} is a literal loopback address (127.0.0.0/8, ::1). The container gives the peer's
     * address; anything that is not a literal address is refused here, so that no name is ever looked up.
     */
    static boolean isLoopbackLiteral(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty() || !(remoteAddress.contains(".") || remoteAddress.contains(":"))
                || !remoteAddress.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '[' || c == ']')) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(remoteAddress).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
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
