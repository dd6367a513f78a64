/**
 * Health reporting: any bundle may register a {@link io.carebus.api.health.HealthIndicator} service; the console
 * aggregates them at {@code GET /api/health}.
 */
package io.carebus.api.health;
