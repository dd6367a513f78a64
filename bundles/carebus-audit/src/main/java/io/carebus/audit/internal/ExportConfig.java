package io.carebus.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the audit trail is copied to (etc/io.carebus.audit.export.cfg): an ATNA audit record repository over syslog
 * (RFC 5424 messages, TLS per RFC 5425 or UDP per RFC 5426, DICOM audit message XML) and/or a FHIR server that takes
 * AuditEvent resources. Each destination keeps its own cursor in the engine's database, so nothing is skipped across
 * restarts; the trail itself stays the record of truth.
 */
@ObjectClassDefinition(name = "CareBus audit export", description = "Copies audit records to an ATNA repository and/or a FHIR server")
@interface ExportConfig {

    @AttributeDefinition(description = "Send to an ATNA audit record repository (syslog)")
    boolean atna_enabled() default false;

    @AttributeDefinition(description = "Collector host name (checked against its TLS certificate)")
    String atna_host() default "localhost";

    @AttributeDefinition(description = "Collector port (6514 is syslog over TLS)")
    int atna_port() default 6514;

    @AttributeDefinition(description = "TLS (RFC 5425, reliable) or UDP (RFC 5426, may drop messages)")
    String atna_transport() default "TLS";

    @AttributeDefinition(description = "Key store with this node's client certificate (IHE ATNA requires mutual TLS); "
            + "PKCS12 or JKS by file name; empty: no client certificate")
    String atna_tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Key store password")
    String atna_tls_keystore_password() default "";

    @AttributeDefinition(description = "Trust store with the collector's CA; empty: the JVM's default trust store")
    String atna_tls_truststore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Trust store password")
    String atna_tls_truststore_password() default "";

    @AttributeDefinition(description = "Check the collector's certificate names the configured host")
    boolean atna_tls_verify_hostname() default true;

    @AttributeDefinition(description = "Post AuditEvent resources to a FHIR server")
    boolean fhir_enabled() default false;

    @AttributeDefinition(description = "FHIR base URL, e.g. https://audit.example.org/fhir")
    String fhir_base_url() default "";

    @AttributeDefinition(description = "none, basic or bearer")
    String fhir_auth() default "none";

    @AttributeDefinition(description = "User for basic authentication")
    String fhir_user() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password (basic) or token (bearer)")
    String fhir_secret() default "";

    @AttributeDefinition(description = "AuditEvents per batch Bundle (1 = one PUT per event)")
    int fhir_batch_size() default 100;

    @AttributeDefinition(description = "For a destination without a cursor yet: 'beginning' sends the whole trail, "
            + "'now' only records appended from now on")
    String start_from() default "beginning";

    @AttributeDefinition(description = "Milliseconds between looks for new records when the destination is caught up")
    int poll_interval_ms() default 1000;

    @AttributeDefinition(description = "Records read per round")
    int read_batch() default 500;

    @AttributeDefinition(description = "Longest wait between retries after a failed send, in seconds")
    int max_backoff_seconds() default 60;

    @AttributeDefinition(description = "Minutes a destination may keep failing before the health endpoint reports it")
    int alert_after_minutes() default 15;
}
