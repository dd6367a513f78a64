package io.carebus.store.internal;

import io.carebus.api.store.Completion;
import io.carebus.api.store.HistoryEntry;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the configured database (embedded H2 by default, PostgreSQL when {@code jdbc.url} names one), brings its
 * schema up to date with Flyway, and registers the {@link MessageStore} service, and its connection pool as a
 * {@code javax.sql.DataSource} service with {@code carebus.datasource=store} for bundles that keep their tables in
 * the same database (the patient context) instead of opening pools of their own.
 */
@Component(service = MessageStore.class, configurationPid = "io.carebus.store")
@Designate(ocd = StoreConfig.class)
public class MessageStoreComponent implements MessageStore, io.carebus.store.DeferredSyncStore {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStoreComponent.class);

    private final JdbcMessageStore store;
    private final java.util.concurrent.ScheduledExecutorService retentionJob;
    private final org.osgi.framework.ServiceRegistration<javax.sql.DataSource> dataSourceService;

    /** The service property other bundles select the store's DataSource by: {@code (carebus.datasource=store)}. */
    public static final String DATASOURCE_PROPERTY = "carebus.datasource";

    @Activate
    public MessageStoreComponent(org.osgi.framework.BundleContext context, StoreConfig config) {
        String url = config.jdbc_url().isBlank()
                ? StoreFactory.embeddedH2Url(Path.of(System.getProperty("karaf.data", "data"), "carebus", "store"))
                : config.jdbc_url();
        String password = config.jdbc_password().isBlank() ? System.getenv().getOrDefault("CAREBUS_STORE_PASSWORD", "")
                : config.jdbc_password();
        PayloadCipher cipher = null;
        if (!config.payload_encryption_key_id().isBlank()) {
            String keys = config.payload_encryption_keys().isBlank()
                    ? System.getenv().getOrDefault("CAREBUS_STORE_PAYLOAD_KEYS", "") : config.payload_encryption_keys();
            cipher = new PayloadCipher(config.payload_encryption_key_id(), StoreFactory.parseKeys(keys));
        }
        store = StoreFactory.open(url, config.jdbc_user(), password, Duration.ofMinutes(config.duplicate_window_minutes()),
                config.group_commit_max_batch(), cipher);
        retentionJob = config.retention_days() > 0 ? scheduleRetention(url, config, password) : null;
        dataSourceService = context == null ? null : context.registerService(javax.sql.DataSource.class, store.dataSource(),
                new java.util.Hashtable<>(java.util.Map.of(DATASOURCE_PROPERTY, "store")));
        LOG.info("Message store open: {}; payloads {}", StoreFactory.describe(url),
                cipher == null ? "in clear" : "encrypted with key " + cipher.currentKeyId());
    }

    /** Hourly, the first run a minute after start; a failed run is logged and tried again the next hour. */
    private static java.util.concurrent.ScheduledExecutorService scheduleRetention(String url, StoreConfig config, String password) {
        Path archive = config.retention_archive_directory().isBlank()
                ? Path.of(System.getProperty("karaf.data", "data"), "carebus", "archive")
                : Path.of(config.retention_archive_directory());
        Retention retention = new Retention(StoreFactory.create(url, config.jdbc_user(), password), archive, Clock.systemUTC());
        java.util.concurrent.ScheduledExecutorService job = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "carebus-store-retention");
            t.setDaemon(true);
            return t;
        });
        job.scheduleWithFixedDelay(() -> {
            try {
                retention.pruneBefore(Clock.systemUTC().instant().minus(Duration.ofDays(config.retention_days())));
            } catch (Exception e) {
                LOG.error("Retention run failed (bodies are kept; next try in an hour): {}", e.toString());
            }
        }, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
        return job;
    }

    @Deactivate
    void deactivate() {
        if (dataSourceService != null) {
            // Before the pool closes, so no user is handed a closed pool.
            try {
                dataSourceService.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
        }
        if (retentionJob != null) {
            retentionJob.shutdownNow();
        }
        store.close();
    }

    @Override
    public StoreResult store(InboundMessage message) {
        return store.store(message);
    }

    @Override
    public StoreResult store(InboundMessage message, List<io.carebus.api.store.MessageWarning> warnings) {
        return store.store(message, warnings);
    }

    @Override
    public List<io.carebus.api.store.MessageWarning> warnings(long messageId) {
        return store.warnings(messageId);
    }

    @Override
    public Committed storeCommitted(InboundMessage message) {
        return store.storeCommitted(message);
    }

    @Override
    public Committed storeCommitted(InboundMessage message, List<io.carebus.api.store.MessageWarning> warnings) {
        return store.storeCommitted(message, warnings);
    }

    @Override
    public long storeRejected(InboundMessage message, String reason) {
        return store.storeRejected(message, reason);
    }

    @Override
    public Optional<StoredMessage> find(long messageId) {
        return store.find(messageId);
    }

    @Override
    public List<HistoryEntry> history(long messageId) {
        return store.history(messageId);
    }

    @Override
    public List<MessageSummary> search(MessageQuery query) {
        return store.search(query);
    }

    @Override
    public List<Long> unfinished(String protocol) {
        return store.unfinished(protocol);
    }

    @Override
    public void updateStatus(long messageId, MessageStatus status, String note) {
        store.updateStatus(messageId, status, note);
    }

    @Override
    public void attachCanonical(long messageId, byte[] canonicalJson, Collection<String> patientIdentifiers) {
        store.attachCanonical(messageId, canonicalJson, patientIdentifiers);
    }

    @Override
    public void complete(List<Completion> completions) {
        store.complete(completions);
    }

    @Override
    public Optional<byte[]> canonical(long messageId) {
        return store.canonical(messageId);
    }
}
