package io.carebus.metrics.internal;

import io.carebus.api.store.EngineDatabase;
import io.carebus.inference.ModelRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceHelper;
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
 * {@code GET /metrics} on the appliance's HTTP port, Prometheus text format 0.0.4. Immediate, so the meters count
 * from boot and not from the first scrape. Each source is optional: the appliance runs without the inference or the
 * store feature, and its meters are then simply absent.
 */
@Component(service = Servlet.class, immediate = true, configurationPid = "io.carebus.metrics", property = {
        "osgi.http.whiteboard.servlet.pattern=/metrics",
        "osgi.http.whiteboard.servlet.name=carebus-metrics",
        // carebus-security's context logs scrapers in (any CareBus role), throttled like every other login
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=carebus)"})
@Designate(ocd = MetricsConfig.class)
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient CareBusMeters meters;
    private final transient ScheduledExecutorService reader;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    transient volatile EngineDatabase database;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    transient volatile ModelRegistry modelRegistry;

    private transient volatile CamelContext camel;

    @Activate
    public MetricsServlet(MetricsConfig config) {
        File data = new File(System.getProperty("karaf.data", "."));
        meters = new CareBusMeters(HistogramBuckets.parse(config.histogram_buckets_ms()), config.end_to_end_queue(),
                Duration.ofSeconds(Math.max(0, config.commit_lag_seconds())), data);
        reader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "carebus-metrics-reader");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, config.refresh_seconds());
        reader.scheduleWithFixedDelay(() -> meters.refresh(this::dataSource, () -> modelRegistry), 0, every, TimeUnit.SECONDS);
    }

    private javax.sql.DataSource dataSource() {
        EngineDatabase db = database;
        return db == null ? null : db.dataSource();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(camel.context.name=*)")
    void bindCamel(CamelContext context) {
        // The notifier joins the running context: it sees every exchange from now on, of the routes already there
        // and of those added later.
        context.getManagementStrategy().addEventNotifier(meters.routeNotifier());
        ServiceHelper.startService(meters.routeNotifier());
        camel = context;
        LOG.info("Metrics: timing the routes of CamelContext {}", context.getName());
    }

    void unbindCamel(CamelContext context) {
        context.getManagementStrategy().removeEventNotifier(meters.routeNotifier());
        if (camel == context) {
            camel = null;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            resp.setHeader("Allow", "GET, HEAD");
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        byte[] body = meters.registry().scrape().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType(CONTENT_TYPE);
        resp.setContentLength(body.length);
        if ("GET".equals(req.getMethod())) {
            try (OutputStream out = resp.getOutputStream()) {
                out.write(body);
            }
        }
    }

    @Deactivate
    void deactivate() {
        reader.shutdownNow();
        CamelContext context = camel;
        if (context != null) {
            unbindCamel(context);
        }
        meters.close();
    }
}
