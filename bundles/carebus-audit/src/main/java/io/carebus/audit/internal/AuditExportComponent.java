package io.carebus.audit.internal;

import io.carebus.api.audit.AuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.audit.AuditLog;
import io.carebus.api.store.EngineDatabase;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one exporter thread per enabled destination of etc/io.carebus.audit.export.cfg and reports a destination
 * that has been failing too long as unhealthy (with its cursor and last error).
 */
@Component(service = HealthIndicator.class, configurationPid = "io.carebus.audit.export",
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@org.osgi.service.metatype.annotations.Designate(ocd = ExportConfig.class)
public class AuditExportComponent implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(AuditExportComponent.class);

    private final List<AuditExporter> exporters = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Duration alertAfter;

    @Activate
    public AuditExportComponent(ExportConfig config, @Reference AuditLog log, @Reference AuditTrail trail,
                                @Reference EngineDatabase database) throws SQLException {
        this.alertAfter = Duration.ofMinutes(Math.max(1, config.alert_after_minutes()));
        // The cursors live in the engine's one database, next to the records they point into.
        ExportCursors cursors = new ExportCursors(database.dataSource());
        boolean fromNow = "now".equalsIgnoreCase(config.start_from().trim());
        List<ExportSink> sinks = new ArrayList<>();
        if (config.atna_enabled()) {
            sinks.add(new AtnaSyslogSink(config.atna_host(), config.atna_port(), config.atna_transport(),
                    ClientTls.socketFactory(config.atna_tls_keystore(), config.atna_tls_keystore_password(),
                            config.atna_tls_truststore(), config.atna_tls_truststore_password(), config.atna_tls_verify_hostname())));
        }
        if (config.fhir_enabled()) {
            sinks.add(new FhirAuditSink(ca.uhn.fhir.context.FhirContext.forR4Cached(), config.fhir_base_url(), config.fhir_auth(),
                    config.fhir_user(), config.fhir_secret(), config.fhir_batch_size(), trail.nodeId()));
        }
        for (ExportSink sink : sinks) {
            AuditExporter exporter = new AuditExporter(sink, log, cursors, config.read_batch(), config.poll_interval_ms(),
                    config.max_backoff_seconds() * 1000L, Clock.systemUTC());
            exporter.start(fromNow);
            exporters.add(exporter);
            Thread thread = new Thread(exporter, "carebus-audit-export-" + exporters.size());
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        if (sinks.isEmpty()) {
            LOG.info("Audit export configured with no destination enabled");
        }
    }

    @Override
    public String name() {
        return "audit-export";
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        for (AuditExporter exporter : exporters) {
            details.put(exporter.destination(), exporter.details());
            if (exporter.failingLongerThan(alertAfter)) {
                problems.add("audit export to " + exporter.destination() + " failing for more than " + alertAfter.toMinutes()
                        + " minutes");
            }
        }
        return HealthReport.of(problems, details);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        exporters.forEach(AuditExporter::stop);
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(5000);
        }
    }
}
