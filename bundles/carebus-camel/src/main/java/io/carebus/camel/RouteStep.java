package io.carebus.camel;

import java.util.Map;
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
}
