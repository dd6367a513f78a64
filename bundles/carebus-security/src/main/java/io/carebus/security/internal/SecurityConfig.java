package io.carebus.security.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus security", description = "Logins over HTTP and SSH: throttling, lockout, audit")
public @interface SecurityConfig {

    @AttributeDefinition(description = "Karaf JAAS realm HTTP users log in to (and whose logins are throttled)")
    String jaas_realm() default "karaf";

    @AttributeDefinition(description = "Failed logins of one account within the window that lock the account (0: never)")
    int lockout_account_failures() default 10;

    @AttributeDefinition(description = "Failed logins from one client address within the window that lock the address (0: never)")
    int lockout_address_failures() default 20;

    @AttributeDefinition(description = "Window the failures are counted in, seconds")
    int lockout_window_seconds() default 300;

    @AttributeDefinition(description = "How long a locked account or address is refused, seconds")
    int lockout_seconds() default 300;

    @AttributeDefinition(description = "Accounts and addresses tracked at most (each); the least recently seen are forgotten first")
    int lockout_max_tracked() default 100_000;

    @AttributeDefinition(description = "At most one audit record of failed logins per client address per this many seconds")
    int audit_failures_period_seconds() default 60;

    @AttributeDefinition(description = "Seconds a successful HTTP login is remembered (keyed by a hash of the credentials), "
            + "so a client sending Basic credentials with every request does not pay the slow password hash each time; 0: never")
    int login_cache_seconds() default 60;
}
