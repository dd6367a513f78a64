package io.carebus.camel.internal;

import io.carebus.api.audit.AuditTrail;
import io.carebus.camel.RouteFileState;
import io.carebus.camel.RouteFiles;
import io.carebus.camel.RouteStep;
import java.util.Map;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.karaf.core.OsgiBeanRepository;
import org.apache.camel.support.DefaultRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the appliance's one CamelContext: creates it, deploys the routes folder into it, keeps watching the folder,
 * and publishes the context and the {@link RouteFiles} view as OSGi services.
 *
 * <p>All Camel jars live in one bundle (carebus-thirdparty-camel), so the context's application class loader is that
 * bundle's class loader: Camel's META-INF/services discovery (components, languages, the YAML routes loader) then
 * works as on a plain classpath. The registry adds OSGi services, so a bundle can offer a Camel component or bean to
 * routes by registering it, and take it back by going away.
 */
@Component(service = RouteFiles.class, immediate = true, configurationPid = "io.carebus.camel")
@Designate(ocd = CamelRuntimeConfig.class)
public class CamelRuntime implements RouteFiles {

    private static final Logger LOG = LoggerFactory.getLogger(CamelRuntime.class);

    private final DefaultCamelContext camel;
    private final RouteFolderDeployer deployer;
    private final ScheduledExecutorService watcher;
    private final ServiceRegistration<CamelContext> registration;

    /** The carebus:<name> steps registered by other bundles, by name. */
    private final RouteSteps steps = new RouteSteps();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addStep(RouteStep step) {
        steps.add(step);
    }

    void removeStep(RouteStep step) {
        steps.remove(step);
    }

    /** Optional: with an audit trail running, route steps are recorded in it (see {@link RouteAuditing}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile AuditTrail audit;

    @Activate
    public CamelRuntime(BundleContext bundleContext, CamelRuntimeConfig config) throws Exception {
        ClassLoader camelLoader = CamelContext.class.getClassLoader();
        RouteAuditing auditing = new RouteAuditing(() -> audit);
        camel = withClassLoader(camelLoader, () -> createContext(bundleContext, config, camelLoader, auditing, steps));
        deployer = new RouteFolderDeployer(camel, routesDirectory(config), Clock.systemUTC());
        withClassLoader(camelLoader, () -> {
            deployer.scan();
            return null;
        });
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "carebus-routes-watcher");
            t.setDaemon(true);
            t.setContextClassLoader(camelLoader);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::scanQuietly, config.routes_scan_interval_ms(),
                config.routes_scan_interval_ms(), TimeUnit.MILLISECONDS);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("camel.context.name", camel.getName());
        registration = bundleContext.registerService(CamelContext.class, camel, props);
        LOG.info("CamelContext {} started; routes folder {}", camel.getName(), deployer.directory());
    }

    private static DefaultCamelContext createContext(BundleContext bundleContext, CamelRuntimeConfig config, ClassLoader camelLoader,
                                                     RouteAuditing auditing, RouteSteps steps) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext(false);
        ctx.getCamelContextExtension().setName(config.context_name());
        ctx.setApplicationContextClassLoader(camelLoader);
        OsgiBeanRepository osgiBeans = new OsgiBeanRepository(bundleContext);
        ctx.getCamelContextExtension().setRegistry(new DefaultRegistry(osgiBeans));
        ctx.addLifecycleStrategy(osgiBeans);
        // Line numbers of route definitions let a rejected route file be reported with the line at fault.
        ctx.setSourceLocationEnabled(true);
        ctx.build();
        // After build (which creates the management strategy), before start (which starts the notifiers).
        ctx.getManagementStrategy().addEventNotifier(new AuditingEventNotifier(auditing));
        ctx.addComponent("carebus-audit", new AuditStepComponent(auditing));
        ctx.addComponent("carebus", new RouteStepComponent(steps, Duration.ofSeconds(Math.max(0, config.step_wait_seconds()))));
        ctx.start();
        return ctx;
    }

    static Path routesDirectory(CamelRuntimeConfig config) {
        if (!config.routes_directory().isBlank()) {
            return Path.of(config.routes_directory());
        }
        return Path.of(System.getProperty("karaf.base", "."), "routes");
    }

    private void scanQuietly() {
        try {
            deployer.scan();
        } catch (RuntimeException e) {
            // A scan must never kill the watcher: the next one may succeed.
            LOG.error("Scanning routes folder {} failed: {}", deployer.directory(), RouteFolderDeployer.describe(e));
        }
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        watcher.shutdownNow();
        try {
            watcher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deployer.undeployAll();
        camel.stop();
        LOG.info("CamelContext {} stopped", camel.getName());
    }

    @Override
    public String directory() {
        return deployer.directory().toString();
    }

    @Override
    public boolean initialScanDone() {
        return deployer.initialScanDone();
    }

    @Override
    public List<RouteFileState> files() {
        return deployer.states();
    }

    @Override
    public String routeStatus(String routeId) {
        org.apache.camel.ServiceStatus status = camel.getRouteController().getRouteStatus(routeId);
        return status == null ? "Unknown" : status.name();
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    /** Camel and the libraries it loads look at the thread context class loader; inside OSGi that must be Camel's. */
    private static <T> T withClassLoader(ClassLoader loader, Work<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.run();
        } finally {
            thread.setContextClassLoader(before);
        }
    }
}
