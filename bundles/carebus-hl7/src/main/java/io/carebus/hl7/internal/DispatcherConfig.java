package io.carebus.hl7.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus HL7v2 processing", description = "Hands stored HL7v2 messages to the routes")
@interface DispatcherConfig {

    @AttributeDefinition(description = "Camel endpoint every stored HL7v2 message is sent to (in arrival order per patient)")
    String endpoint() default "direct:carebus-hl7-inbound";

    @AttributeDefinition(description = "Lanes that process messages side by side: one patient's messages always on one lane, in "
            + "arrival order; 0 = one per processor (at least 2); 1 = every message in arrival order")
    int workers() default 0;

    @AttributeDefinition(description = "Seconds to wait before retrying when no route consumes the endpoint")
    int retry_seconds() default 5;
}
