package io.carebus.fhir.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One EHR the engine writes results to: {@code etc/io.carebus.ehr-<name>.cfg} (a factory configuration). */
@ObjectClassDefinition(name = "CareBus EHR endpoint", description = "A FHIR R4 server results are delivered to, exactly once")
@interface EhrConfig {

    @AttributeDefinition(description = "Name of this EHR (routes say carebus:ehr?ehr=<name>); blank = taken from the file name")
    String name() default "";

    @AttributeDefinition(description = "FHIR base URL, e.g. https://fhir.hospital.org/api/FHIR/R4 or a tenant-in-path URL")
    String base_url();

    @AttributeDefinition(description = "none | basic | smart (SMART Backend Services: client_credentials with a signed JWT)")
    String auth() default "none";

    String username() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(description = "SMART: the token endpoint (from the EHR's .well-known/smart-configuration)")
    String smart_token_url() default "";

    @AttributeDefinition(description = "SMART: the client id the EHR registered for this engine")
    String smart_client_id() default "";

    @AttributeDefinition(description = "SMART: scopes to ask for, space separated, e.g. system/Observation.write system/RiskAssessment.write")
    String smart_scope() default "";

    @AttributeDefinition(description = "SMART: PKCS12 key store with the signing key (RSA -> RS384, EC P-384 -> ES384), relative to karaf.etc")
    String smart_key_store() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String smart_key_store_password() default "";

    String smart_key_alias() default "carebus-smart";

    @AttributeDefinition(description = "SMART: key id (kid) in the JWT header and the JWKS; blank = the key's SHA-256 thumbprint")
    String smart_kid() default "";

    @AttributeDefinition(description = "SMART: jku header value (the URL of this engine's JWKS) for EHRs that require it; blank = none")
    String smart_jku() default "";

    @AttributeDefinition(description = "auto | conditional-create | conditional-update | search-then-create | create")
    String write_mode() default "auto";

    @AttributeDefinition(description = "Attempts before an entry goes to the dead letter state")
    int max_attempts() default 10;

    int backoff_initial_seconds() default 2;

    int backoff_max_seconds() default 300;

    int timeout_seconds() default 30;

    @AttributeDefinition(description = "Entries sent per round before the queue is read again")
    int batch() default 100;
}
