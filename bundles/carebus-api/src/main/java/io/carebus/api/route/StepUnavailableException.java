package io.carebus.api.route;

/**
 * A route reached a {@code carebus:} step whose service is not running (its bundle is being updated or refreshed, or
 * was removed) and it did not return within the wait the engine allows. Not a failure of the message: whoever runs the
 * route keeps the message and tries again later, as it does while the store is unavailable.
 */
public class StepUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String step;

    public StepUnavailableException(String step, String message) {
        super(message);
        this.step = step;
    }

    /** The step's name, as in {@code carebus:<name>}. */
    public String step() {
        return step;
    }

    /** Whether {@code failure} or one of its causes is a missing step (Camel wraps what a producer throws). */
    public static boolean in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StepUnavailableException) {
                return true;
            }
            if (t.getCause() == t) {
                return false;
            }
        }
        return false;
    }
}
