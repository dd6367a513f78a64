package io.carebus.store;

/** The store could not durably commit: the caller must not acknowledge the message as accepted. */
public class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
