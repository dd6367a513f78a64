package io.carebus.fhir.internal;

import java.io.IOException;

/** What goes into the Authorization header of requests to one EHR. */
interface EhrAuth {

    /** The header value, or null for none. May call a token endpoint (SMART); throws when it cannot. */
    String authorization() throws IOException, AuthException;

    /** The EHR answered 401: forget any cached token. */
    default void invalidate() {
    }

    /** The token endpoint (or whatever issues credentials) refused or failed; the outcome is its answer. */
    final class AuthException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        AuthException(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    static EhrAuth none() {
        return () -> null;
    }

    static EhrAuth basic(String user, String password) {
        String value = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return () -> value;
    }
}
