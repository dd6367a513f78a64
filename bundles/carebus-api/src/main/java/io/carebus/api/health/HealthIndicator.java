package io.carebus.api.health;

/**
 * A part of the appliance that can say whether it is working. Registered as an OSGi service; implementations must
 * answer quickly (no network calls) because the health endpoint is polled by load balancers.
 */
public interface HealthIndicator {

    /** A short stable name, used as the key in the health document (e.g. {@code routes}). */
    String name();

    HealthReport report();
}
