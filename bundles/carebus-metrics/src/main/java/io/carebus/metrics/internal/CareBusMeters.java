package io.carebus.metrics.internal;

import io.carebus.inference.ModelRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's one meter registry and what feeds it: the JVM binders, the route notifier (added to a CamelContext
 * by its owner), and the readings of the store and the model registry that {@link #refresh} takes.
 */
final class CareBusMeters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CareBusMeters.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final EndToEndLatency endToEnd;
    private final RouteMetricsNotifier routes;
    private final StoreMetrics store;
    private final ModelMetrics models;
    private volatile boolean storeFailing;

    CareBusMeters(Duration[] buckets, int endToEndQueue, Duration commitLag, File dataDirectory) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new DiskSpaceMetrics(dataDirectory).bindTo(registry);
        endToEnd = new EndToEndLatency(registry, endToEndQueue, buckets);
        routes = new RouteMetricsNotifier(registry, endToEnd, buckets);
        store = new StoreMetrics(registry, Clock.systemUTC(), commitLag);
        models = new ModelMetrics(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    RouteMetricsNotifier routeNotifier() {
        return routes;
    }

    /** One reading of whatever is there now; a source that fails is logged once per outage and tried again next time. */
    void refresh(Supplier<DataSource> dataSource, Supplier<ModelRegistry> modelRegistry) {
        DataSource db = dataSource.get();
        if (db != null) {
            try {
                store.read(db);
                endToEnd.resolve(db);
                if (storeFailing) {
                    LOG.info("Metrics: the store can be read again");
                }
                storeFailing = false;
            } catch (SQLException | RuntimeException e) {
                if (!storeFailing) {
                    LOG.warn("Metrics: reading the store failed, store gauges keep their last values: {}", e.toString());
                }
                storeFailing = true;
            }
        }
        ModelRegistry registryOfModels = modelRegistry.get();
        if (registryOfModels != null) {
            try {
                models.read(registryOfModels);
            } catch (RuntimeException e) {
                LOG.debug("Metrics: reading the model registry failed", e);
            }
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
