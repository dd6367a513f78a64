package io.carebus.hl7.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "CareBus HL7v2 MLLP listener",
        description = "One MLLP listener; add one etc/io.carebus.hl7-<name>.cfg file per listener")
@interface ListenerConfig {

    @AttributeDefinition(description = "Listener name: recorded with every message, used in route ids and health")
    String name() default "main";

    @AttributeDefinition(description = "Address to listen on")
    String host() default "0.0.0.0";

    @AttributeDefinition(description = "TCP port", min = "1", max = "65535")
    int port() default 2575;

    @AttributeDefinition(description = "Largest accepted frame in bytes")
    int max_frame_bytes() default 10 * 1024 * 1024;

    @AttributeDefinition(description = "Close a connection idle for this many seconds (0 = never)")
    int idle_timeout_seconds() default 600;

    @AttributeDefinition(description = "Most simultaneous connections; when all are taken, the oldest connection that "
            + "has not yet delivered a frame is closed for a new one, else the new one is refused at accept", min = "1")
    int max_connections() default 64;

    @AttributeDefinition(description = "Most simultaneous connections from one remote address (more are refused at accept)",
            min = "1")
    int max_connections_per_address() default 16;

    @AttributeDefinition(description = "Close a new connection that has not begun its first frame within this many seconds",
            min = "1")
    int first_frame_timeout_seconds() default 30;

    @AttributeDefinition(description = "Close a connection whose frame is not complete this many seconds after its first "
            + "byte (a stalled or trickling frame)", min = "1")
    int frame_timeout_seconds() default 60;

    @AttributeDefinition(description = "Most messages in one HL7 batch (FHS/BHS in one frame); a larger batch is refused "
            + "as a whole (AR) and stored as ERROR", min = "1")
    int max_batch_messages() default 1000;

    @AttributeDefinition(description = "Accepted HL7 versions (MSH-12), comma separated; empty = 2.1 to 2.8.1")
    String[] allowed_versions() default {};

    @AttributeDefinition(description = "Accepted message types (ADT or ADT^A01), comma separated; empty = all")
    String[] allowed_message_types() default {};

    @AttributeDefinition(description = "MSH fields that must be valued besides MSH-9, -10 and -12 (numbers, comma separated)")
    String[] required_msh_fields() default {};

    @AttributeDefinition(description = "lenient: a message that parses structurally is accepted (AA) and each data type "
            + "problem (dates, times, numbers HAPI's default validation rejects) is stored as a warning on it; strict: "
            + "such a message is refused with AE 102", options = {
                @Option(label = "lenient", value = "lenient"), @Option(label = "strict", value = "strict")})
    String validation() default "lenient";

    @AttributeDefinition(description = "Deprecated alias of validation: true = strict, false = lenient (strict wins "
            + "when either asks for it); empty = not set", required = false)
    String validate_datatypes() default "";

    @AttributeDefinition(description = "Character set when MSH-18 is empty")
    String default_charset() default "ISO-8859-1";

    @AttributeDefinition(description = "false: this file defines the listener but it does not listen")
    boolean enabled() default true;

    @AttributeDefinition(description = "Serve MLLP over TLS on this listener")
    boolean tls_enabled() default false;

    @AttributeDefinition(description = "Key store with the listener's private key and certificate chain (relative paths: from etc/)")
    String tls_keystore() default "carebus-mllp.p12";

    @AttributeDefinition(description = "Key store password (use ${env:NAME} to take it from the environment)", type = AttributeType.PASSWORD)
    String tls_keystore_password() default "";

    @AttributeDefinition(description = "Key store type")
    String tls_keystore_type() default "PKCS12";

    @AttributeDefinition(description = "Trust store with the CAs whose client certificates are accepted (mutual TLS); empty = JVM default")
    String tls_truststore() default "";

    @AttributeDefinition(description = "Trust store password", type = AttributeType.PASSWORD)
    String tls_truststore_password() default "";

    @AttributeDefinition(description = "Client certificates: NONE, WANT or REQUIRE (mutual TLS)")
    String tls_client_auth() default "NONE";

    @AttributeDefinition(description = "TLS protocol versions, comma separated")
    String[] tls_protocols() default {"TLSv1.3", "TLSv1.2"};

    @AttributeDefinition(description = "true (default): nothing is acknowledged without its audit record; with no audit "
            + "trail running (carebus-audit being updated) a message waits up to audit.wait.ms for it, then is answered "
            + "AE/CE 207 and not stored. false: without a trail, messages are acknowledged unaudited")
    boolean audit_required() default true;

    @AttributeDefinition(description = "How long a message waits for a missing audit trail before its 207 (ms)", min = "0")
    int audit_wait_ms() default 5000;

    @AttributeDefinition(description = "Camel endpoint (e.g. mllp://lis.example:2577) that receives the application ACKs "
            + "senders ask for in MSH-16 (enhanced mode); empty = none are sent, the request is noted in the history")
    String application_ack_endpoint() default "";
}
