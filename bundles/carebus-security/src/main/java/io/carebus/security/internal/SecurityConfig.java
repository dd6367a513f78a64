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

    @AttributeDefinition(description = "true: GET /metrics from a loopback address (a Prometheus on this machine) needs "
            + "no login; from the network it still needs a user with a CareBus role")
    boolean metrics_anonymous_loopback() default false;

    @AttributeDefinition(description = "Serve HTTPS (the same servlets as plain HTTP)")
    boolean https_enabled() default true;

    @AttributeDefinition(description = "HTTPS port")
    int https_port() default 8443;

    @AttributeDefinition(description = "Address HTTPS listens on (0.0.0.0: every interface)")
    String https_host() default "0.0.0.0";

    @AttributeDefinition(description = "Keystore with the server's key and certificate chain (PKCS12 or JKS); blank: a "
            + "self-signed certificate generated on first start into data/carebus/tls/https.p12")
    String https_keystore() default "";

    @AttributeDefinition(description = "Password of the keystore (and of its key); blank with a generated keystore",
            type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String https_keystore_password() default "";

    @AttributeDefinition(description = "Keystore type: PKCS12 or JKS")
    String https_keystore_type() default "PKCS12";

    @AttributeDefinition(description = "TLS protocol versions served (comma separated)")
    String https_protocols() default "TLSv1.3,TLSv1.2";

    @AttributeDefinition(description = "Host names (comma separated) the generated certificate names, besides localhost; "
            + "blank: this machine's name")
    String https_hostnames() default "";
}
