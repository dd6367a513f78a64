/**
 * The appliance's admin REST API under {@code /api} on port 8181. {@link io.carebus.console.Role} names the roles
 * (Karaf JAAS roles) that other bundles' endpoints check; {@link io.carebus.console.JaasAuthenticator} and
 * {@link io.carebus.console.BasicCredentials} let those endpoints (the FHIR intake) log users in the same way.
 */
package io.carebus.console;
