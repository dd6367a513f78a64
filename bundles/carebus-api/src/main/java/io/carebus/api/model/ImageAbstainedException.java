package io.carebus.api.model;

/** An image that cannot be given to a model faithfully; the message says why (no patient data in it). */
public class ImageAbstainedException extends Exception {

    private static final long serialVersionUID = 1L;

    public ImageAbstainedException(String reason) {
        super(reason);
    }

    public String reason() {
        return getMessage();
    }
}
