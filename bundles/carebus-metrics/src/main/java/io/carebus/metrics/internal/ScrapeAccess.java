package io.carebus.metrics.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** Who may read /metrics: a user holding a CareBus role (as for /api), or, when configured, anyone on loopback. */
final class ScrapeAccess {

    enum Decision { ALLOWED, UNAUTHENTICATED, FORBIDDEN }

    enum Login { REJECTED, NO_CAREBUS_ROLE, CAREBUS_ROLE }

    interface Authenticator {
        Login authenticate(String user, char[] password);
    }

    private final Authenticator authenticator;
    private final boolean anonymousLoopback;

    ScrapeAccess(Authenticator authenticator, boolean anonymousLoopback) {
        this.authenticator = authenticator;
        this.anonymousLoopback = anonymousLoopback;
    }

    Decision decide(String remoteAddress, String authorization) {
        if (anonymousLoopback && authorization == null && isLoopback(remoteAddress)) {
            return Decision.ALLOWED;
        }
        String credentials = basicCredentials(authorization);
        int colon = credentials == null ? -1 : credentials.indexOf(':');
        if (colon <= 0) {
            return Decision.UNAUTHENTICATED;
        }
        char[] password = credentials.substring(colon + 1).toCharArray();
        try {
            return switch (authenticator.authenticate(credentials.substring(0, colon), password)) {
                case CAREBUS_ROLE -> Decision.ALLOWED;
                case NO_CAREBUS_ROLE -> Decision.FORBIDDEN;
                case REJECTED -> Decision.UNAUTHENTICATED;
            };
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** RFC 7617 "user:password" from an Authorization header; anything malformed is no credentials (null). */
    static String basicCredentials(String authorization) {
        if (authorization == null || authorization.length() < 6 || authorization.length() > 4096
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A literal loopback address only: the container gives the peer's address, never a name to resolve. */
    static boolean isLoopback(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty() || !(remoteAddress.contains(".") || remoteAddress.contains(":"))
                || !remoteAddress.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '[' || c == ']')) {
            return false; // not a literal address: InetAddress would look a name up
        }
        try {
            return InetAddress.getByName(remoteAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
