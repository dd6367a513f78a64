package io.carebus.inference.internal;

/** Why a model bundle may not serve; the message is shown to operators as the refusal reason. */
final class ModelRefusedException extends Exception {

    ModelRefusedException(String reason) {
        super(reason);
    }
}
