package io.carebus.context.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus patient context", description = "Retention and bounds of the per-patient timeline")
@interface ContextConfig {

    @AttributeDefinition(description = "Timeline entries the engine learnt more than this many days ago are pruned (hourly); 0 keeps them")
    int retention_days() default 30;

    @AttributeDefinition(description = "The longest lookback a route may ask carebus:context for (ISO 8601 duration)")
    String max_lookback() default "P30D";

    @AttributeDefinition(description = "The most observations one timeline carries (the latest ones are kept)")
    int max_timeline_entries() default 2000;
}
