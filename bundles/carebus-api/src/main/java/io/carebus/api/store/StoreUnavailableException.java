package io.carebus.api.store;

/**
 * The store could not durably commit: the caller must not acknowledge the message as accepted. In the API, not in
 * carebus-store, so that every bundle can tell a store outage (retry later, keep the item) from a failure of its own
 * work without depending on the store's implementation bundle.
 */
public class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
