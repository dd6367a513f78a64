package io.carebus.camel;

import java.util.Map;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;

/**
 * A CareBus step that routes use as {@code carebus:<name>?option=value} ({@code carebus:infer?model=sepsis-risk},
 * {@code carebus:deid}, ...). Bundles register their steps as OSGi services; the step is looked up on every exchange,
 * so a step's bundle can be updated or replaced while routes keep running (an exchange arriving while no step of that
 * name is registered fails with a message saying so, and goes to the route's error handling).
 */
public interface RouteStep {

    /** The name after {@code carebus:}. */
    String name();

    /** The options this step accepts, so a misspelt one fails when the route is loaded rather than silently. */
    java.util.Set<String> options();

    /** Processes one exchange with the endpoint's options (as written in the URI, values as strings). */
    void process(Exchange exchange, Map<String, String> options) throws Exception;

    /**
     * Processes one exchange the way Camel's asynchronous routing engine does: a step that waits on other work (a
     * micro-batch) may return false, let go of the route's thread, and call {@code callback.done(false)} when it has
     * finished; a failure goes into {@link Exchange#setException}. This default runs {@link #process} here and returns
     * true, having called {@code callback.done(true)}.
     */
    default boolean process(Exchange exchange, Map<String, String> options, AsyncCallback callback) {
        try {
            process(exchange, options);
        } catch (Exception e) {
            exchange.setException(e);
        }
        callback.done(true);
        return true;
    }
}
