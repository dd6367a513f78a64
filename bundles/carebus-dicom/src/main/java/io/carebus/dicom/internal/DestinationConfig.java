package io.carebus.dicom.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus DICOM destination", description = "A C-STORE SCP instances are forwarded to "
        + "(etc/io.carebus.dicom.destination-<name>.cfg)")
@interface DestinationConfig {

    @AttributeDefinition(description = "Name routes and tools use (carebus:dicom-forward?destination=<name>)")
    String name();

    @AttributeDefinition(description = "The destination's AE title (called AE)")
    String ae_title();

    String host();

    int port() default 104;

    @AttributeDefinition(description = "Our AE title on these associations (calling AE)")
    String calling_ae_title() default "CAREBUS";

    @AttributeDefinition(description = "Instances sent on one association at most")
    int batch_size() default 100;

    @AttributeDefinition(description = "Attempts before an instance is dead-lettered")
    int max_attempts() default 10;

    @AttributeDefinition(description = "First retry delay in seconds; doubles each attempt up to backoff.max.seconds")
    int backoff_initial_seconds() default 5;

    int backoff_max_seconds() default 600;

    @AttributeDefinition(description = "Connect and response timeout in seconds")
    int timeout_seconds() default 30;

    @AttributeDefinition(description = "C-ECHO the destination when the configuration is activated")
    boolean echo_at_start() default true;

    @AttributeDefinition(description = "Send de-identified copies (PS3.15 Annex E with the engine's pseudonym domain, "
            + "etc/io.carebus.deid.cfg), e.g. to a research archive; originals never leave for this destination")
    boolean deidentify() default false;

    @AttributeDefinition(description = "TLS to the destination; trust store (and key store for mutual TLS) relative to etc/")
    boolean tls_enabled() default false;

    String tls_truststore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String tls_truststore_password() default "";

    String tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String tls_keystore_password() default "";
}
