package io.carebus.api.security;

import java.util.Arrays;
import java.util.Set;

/**
 * Who made an HTTP request, as the appliance's one authentication point (carebus-security) found: servlets read it from
 * the request attribute {@link #REQUEST_ATTRIBUTE} and never log anyone in themselves. Absent on the few anonymous
 * paths (health status, JWKS, FHIR metadata).
 */
public record AuthenticatedUser(String name, Set<Role> roles) {

    /** The request attribute holding the {@link AuthenticatedUser}. */
    public static final String REQUEST_ATTRIBUTE = "io.carebus.security.user";

    public AuthenticatedUser {
        roles = Set.copyOf(roles);
    }

    public boolean hasAny(Role... wanted) {
        return Arrays.stream(wanted).anyMatch(roles::contains);
    }
}
