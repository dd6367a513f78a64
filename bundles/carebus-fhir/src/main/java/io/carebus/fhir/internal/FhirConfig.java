package io.carebus.fhir.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus FHIR", description = "FHIR R4 intake at /fhir, result identifiers and the outbox")
@interface FhirConfig {

    @AttributeDefinition(description = "This engine's node id: the engine identifier system is urn:carebus:<node.id> unless identifier.system is set")
    String node_id() default "carebus-1";

    @AttributeDefinition(description = "The identifier system of result resources (an absolute URI, e.g. urn:oid:...); blank = urn:carebus:<node.id>")
    String identifier_system() default "";

    @AttributeDefinition(description = "Largest request body /fhir accepts, in bytes (larger: 413)")
    int max_bytes() default 10 * 1024 * 1024;

    @AttributeDefinition(description = "Camel endpoint stored FHIR messages are handed to")
    String endpoint() default "direct:carebus-fhir-inbound";

    @AttributeDefinition(description = "Seconds to wait before handing a message again when no route consumes the endpoint")
    int retry_seconds() default 5;

    @AttributeDefinition(description = "Who receives alert Communications of carebus:alert unless its recipient option says: a reference "
            + "(PractitionerRole/icu-rapid-response) or an identifier (system|value); blank = no recipient (readable at /fhir)")
    String alert_recipient() default "";
}
