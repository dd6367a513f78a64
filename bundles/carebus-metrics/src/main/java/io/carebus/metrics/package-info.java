/**
 * CareBus metrics: the names of the meters that {@code GET /metrics} serves (Prometheus text format), for dashboards
 * and alert rules. The registry, the binders and the servlet are private to the bundle.
 */
package io.carebus.metrics;
