package io.carebus.api.security;

import java.util.Arrays;
import java.util.Optional;

/** The CareBus roles (DESIGN.md section 6), as Karaf JAAS role names. */
public enum Role {
    ADMIN("admin"), ENGINEER("engineer"), AUDITOR("auditor"), VIEWER("viewer");

    private final String jaasName;

    Role(String jaasName) {
        this.jaasName = jaasName;
    }

    public String jaasName() {
        return jaasName;
    }

    public static Optional<Role> ofJaasName(String name) {
        return Arrays.stream(values()).filter(r -> r.jaasName.equals(name)).findFirst();
    }
}
