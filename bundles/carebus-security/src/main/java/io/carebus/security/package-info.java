/**
 * What CareBus servlets share about HTTP requests: {@link io.carebus.security.RequestBodies} reads bodies with a cap.
 * Authentication and the role checks are not here: the bundle's {@code carebus} servlet context (select it with
 * {@code osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=carebus)}) does them before a servlet
 * sees the request, and puts the {@link io.carebus.api.security.AuthenticatedUser} on it.
 */
package io.carebus.security;
