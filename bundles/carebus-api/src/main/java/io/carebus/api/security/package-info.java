/**
 * Who may do what over HTTP: the CareBus {@link io.carebus.api.security.Role}s and the
 * {@link io.carebus.api.security.AuthenticatedUser} the carebus-security bundle attaches to each request it let in.
 */
package io.carebus.api.security;
