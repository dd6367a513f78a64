package io.carebus.hl7.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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

    @AttributeDefinition(description = "Most simultaneous connections")
    int max_connections() default 64;

    @AttributeDefinition(description = "Accepted HL7 versions (MSH-12), comma separated; empty = 2.1 to 2.8.1")
    String[] allowed_versions() default {};

    @AttributeDefinition(description = "Accepted message types (ADT or ADT^A01), comma separated; empty = all")
    String[] allowed_message_types() default {};

    @AttributeDefinition(description = "MSH fields that must be valued besides MSH-9, -10 and -12 (numbers, comma separated)")
    String[] required_msh_fields() default {};

    @AttributeDefinition(description = "Check primitive data types with HAPI's default validation (AE 102 when wrong)")
    boolean validate_datatypes() default true;

    @AttributeDefinition(description = "Character set when MSH-18 is empty")
    String default_charset() default "ISO-8859-1";
}
