package io.carebus.camel.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus Camel runtime", description = "The appliance's CamelContext and its routes folder")
@interface CamelRuntimeConfig {

    @AttributeDefinition(description = "Name of the CamelContext (shown in logs and metrics)")
    String context_name() default "carebus";

    @AttributeDefinition(description = "Folder of Camel YAML route files; empty means ${karaf.base}/routes")
    String routes_directory() default "";

    @AttributeDefinition(description = "How often the routes folder is compared with what runs, in milliseconds", min = "100")
    long routes_scan_interval_ms() default 2000;

    @AttributeDefinition(description = "How long an exchange waits for a carebus: step whose service is missing (its bundle "
            + "being updated) before the message is put back to be tried again later, in seconds; 0: no wait", min = "0")
    long step_wait_seconds() default 30;
}
