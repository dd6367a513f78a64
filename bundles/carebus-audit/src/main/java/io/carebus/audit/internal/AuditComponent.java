package io.carebus.audit.internal;

import io.carebus.api.SecretFiles;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.audit.AuditEntry;
import io.carebus.audit.AuditEvents;
import io.carebus.audit.AuditLog;
import io.carebus.audit.AuditVerification;
import io.carebus.audit.AuditVerifier;
import io.carebus.api.store.EngineDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail in the engine's database: appends (group-committed, durable before they return), anchors the chain
 * head on a schedule and at shutdown, verifies on a schedule and on request, and reports a broken chain as unhealthy.
 */
@Component(service = {AuditTrail.class, AuditVerifier.class, AuditLog.class, AuditEvents.class, HealthIndicator.class},
        configurationPid = "io.carebus.audit", immediate = true)
@org.osgi.service.metatype.annotations.Designate(ocd = AuditConfig.class)
public class AuditComponent implements AuditTrail, AuditVerifier, AuditLog, AuditEvents, HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(AuditComponent.class);

    private final DataSource dataSource;
    private final ca.uhn.fhir.context.FhirContext fhir = ca.uhn.fhir.context.FhirContext.forR4();
    private final JdbcAuditLog log;
    private final ChainVerifier verifier;
    private final Anchors anchors;
    private final ScheduledExecutorService schedule;
    private volatile AuditVerification lastScheduled;
    private final String nodeId;

    @Activate
    public AuditComponent(AuditConfig config, @org.osgi.service.component.annotations.Reference EngineDatabase database)
            throws IOException {
        this.nodeId = config.node_id();
        Path data = Path.of(System.getProperty("karaf.data", "data"), "carebus");
        // The engine's one database (etc/io.carebus.store.cfg), already migrated; the store closes it.
        this.dataSource = database.dataSource();
        ChainKeys keys = keys(config.hmac_keys(), config.hmac_key_id(), keyDirectory(config.key_directory(), data));
        Path anchorDir = config.anchor_directory().isBlank() ? data.resolve("audit-anchors") : Path.of(config.anchor_directory());
        this.anchors = new Anchors(anchorDir, keys);
        this.log = new JdbcAuditLog(database, keys, Math.max(1, config.max_batch()));
        this.verifier = new ChainVerifier(dataSource, keys, anchors);
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "carebus-audit-schedule");
            t.setDaemon(true);
            return t;
        });
        if (config.anchor_interval_minutes() > 0) {
            schedule.scheduleWithFixedDelay(this::anchor, config.anchor_interval_minutes(), config.anchor_interval_minutes(),
                    TimeUnit.MINUTES);
        }
        if (config.verify_interval_minutes() > 0) {
            schedule.scheduleWithFixedDelay(this::scheduledVerify, 1, config.verify_interval_minutes(), TimeUnit.MINUTES);
        }
        LOG.info("Audit trail open: chain key '{}', anchors in {}", keys.currentId(), anchorDir);
    }

    /** The folder of the generated key: {@code key.directory}, blank = data/carebus (where it always was). */
    static Path keyDirectory(String configured, Path data) {
        return configured == null || configured.isBlank() ? data : Path.of(configured.strip());
    }

    /**
     * Keys from the configuration or the environment; else the one in {@code keyDirectory}/audit-keys, generated once
     * (atomically, owner-only, never overwritten) when that file does not exist.
     */
    static ChainKeys keys(String configured, String id, Path keyDirectory) throws IOException {
        String spec = !configured.isBlank() ? configured : System.getenv().getOrDefault("CAREBUS_AUDIT_KEYS", "");
        if (spec.isBlank()) {
            Path file = keyDirectory.resolve("audit-keys");
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                if (SecretFiles.createIfAbsent(file, "k1=" + Base64.getEncoder().encodeToString(key) + "\n")) {
                    LOG.warn("No audit key configured: generated one into {}; keep a copy apart from the database", file);
                }
            }
            spec = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (spec.isEmpty()) {
                throw new IOException(file + " is empty: restore the audit key from its backup");
            }
        }
        Map<String, byte[]> parsed = ChainKeys.parse(spec);
        return new ChainKeys(id.isBlank() ? parsed.keySet().iterator().next() : id, parsed);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public long append(AuditRecord record) {
        return log.append(record);
    }

    @Override
    public java.util.Optional<io.carebus.api.store.UnitParticipant> recordWith(
            java.util.function.Function<io.carebus.api.store.MessageStore.StoreResult, AuditRecord> record) {
        return log.recordWith(record);
    }

    @Override
    public List<AuditEntry> read(long fromSeq, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000, was " + limit);
        }
        try {
            return JdbcAuditLog.entries(dataSource, fromSeq, limit);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
        }
    }

    @Override
    public String bundleJson(long fromSeq, int limit) {
        org.hl7.fhir.r4.model.Bundle bundle = new org.hl7.fhir.r4.model.Bundle()
                .setType(org.hl7.fhir.r4.model.Bundle.BundleType.COLLECTION);
        for (AuditEntry entry : read(fromSeq, limit)) {
            bundle.addEntry().setFullUrl("urn:carebus:audit:" + entry.seq()).setResource(AuditEventMapper.map(entry));
        }
        return fhir.newJsonParser().encodeResourceToString(bundle);
    }

    @Override
    public AuditVerification verify() {
        return verifier.verify();
    }

    private void anchor() {
        try {
            JdbcAuditLog.Head head = log.head();
            anchors.write(head.seq(), head.hash(), Clock.systemUTC().instant())
                    .ifPresent(a -> LOG.debug("Audit chain anchored at record {}", a.seq()));
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not write an audit anchor: {}", e.toString());
        }
    }

    private void scheduledVerify() {
        try {
            AuditVerification result = verifier.verify();
            lastScheduled = result;
            if (!result.intact()) {
                LOG.error("AUDIT TRAIL BROKEN at record {}: {} ({})", result.firstBrokenSeq(), result.problem(), result.detail());
            }
        } catch (RuntimeException e) {
            LOG.error("Scheduled audit verification failed: {}", e.toString());
        }
    }

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public HealthReport report() {
        AuditVerification last = lastScheduled;
        if (last == null || last.intact()) {
            return HealthReport.of(List.of(), last == null ? Map.of() : Map.of("verifiedRecords", Long.toString(last.checked())));
        }
        return HealthReport.of(List.of("audit trail broken at record " + last.firstBrokenSeq() + ": " + last.problem()),
                Map.of("detail", last.detail()));
    }

    @Deactivate
    void deactivate() {
        schedule.shutdownNow();
        log.close();
        anchor();
    }
}
