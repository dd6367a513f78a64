package io.carebus.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus console", description = "Admin REST API under /api")
@interface ConsoleConfig {

    @AttributeDefinition(description = "Health indicators that must be registered before /api/health can answer UP")
    String[] health_required_indicators() default {"routes"};

    @AttributeDefinition(description = "Largest body POST /api/deid (the de-identification try-it) accepts, in bytes (larger: 413)")
    int deid_max_bytes() default 16 * 1024 * 1024;
}
