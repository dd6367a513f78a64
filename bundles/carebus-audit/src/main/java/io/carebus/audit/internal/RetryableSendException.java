package io.carebus.audit.internal;

import java.io.IOException;

/** A send that must be repeated later; {@code retryAfterSeconds} is the destination's own wish, or -1. */
final class RetryableSendException extends IOException {

    private final long retryAfterSeconds;

    RetryableSendException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
