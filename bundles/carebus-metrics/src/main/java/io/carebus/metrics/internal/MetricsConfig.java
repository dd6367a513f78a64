package io.carebus.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus metrics", description = "GET /metrics (Prometheus text format)")
public @interface MetricsConfig {

    @AttributeDefinition(description = "Seconds between readings of the store and the model registry")
    int refresh_seconds() default 10;

    @AttributeDefinition(description = "Messages are counted once received this many seconds ago (their transaction committed)")
    int commit_lag_seconds() default 2;

    @AttributeDefinition(description = "Histogram bucket bounds, milliseconds, for route, ACK, end-to-end and inference timers")
    String[] histogram_buckets_ms() default {"1", "2.5", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000"};

    @AttributeDefinition(description = "Completed messages at most waiting for their receipt time (end-to-end latency)")
    int end_to_end_queue() default 50000;
}
