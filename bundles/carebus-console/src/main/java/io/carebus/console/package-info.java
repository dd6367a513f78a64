/**
 * The appliance's admin REST API under {@code /api} on port 8181. {@link io.carebus.console.Role} names the roles
 * (Karaf JAAS roles) that other bundles' endpoints check.
 */
package io.carebus.console;
