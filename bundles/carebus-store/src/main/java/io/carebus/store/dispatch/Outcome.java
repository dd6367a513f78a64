package io.carebus.store.dispatch;

import io.carebus.api.store.Completion;

/** What became of one message handed to a {@link MessageHandler}. */
public final class Outcome {

    /** No route consumes the endpoint yet: the message goes back to the head of its lane and is tried again later. */
    public static final Outcome WAIT = new Outcome(null);
    /** Routed; its outcome comes later, from {@link MessageHandler#tick()} (a DICOM instance waits for its study). */
    public static final Outcome LATER = new Outcome(null);
    /** Nothing to record. */
    public static final Outcome NONE = new Outcome(null);

    private final Completion completion;

    private Outcome(Completion completion) {
        this.completion = completion;
    }

    /** Finished: the outcome to record (in the lane's next batch). */
    public static Outcome done(Completion completion) {
        return new Outcome(java.util.Objects.requireNonNull(completion));
    }

    Completion completion() {
        return completion;
    }
}
