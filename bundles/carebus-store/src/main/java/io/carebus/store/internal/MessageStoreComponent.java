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
import org.osgi.service.component.annotations.Reference;
import io.carebus.api.store.EngineDatabase;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageStore} service on the appliance's one database ({@link DatabaseComponent}): the group-commit
 * writer, payload encryption and the hourly retention job.
 */
@Component(service = MessageStore.class, configurationPid = "io.carebus.store")
@Designate(ocd = StoreConfig.class)
public class MessageStoreComponent implements MessageStore, io.carebus.store.DeferredSyncStore,
        io.carebus.api.store.UnitOfWorkStore {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStoreComponent.class);

    private final JdbcMessageStore store;
    private final java.util.concurrent.ScheduledExecutorService retentionJob;

    @Activate
    public MessageStoreComponent(StoreConfig config, @Reference EngineDatabase database) {
        PayloadCipher cipher = null;
        if (!config.payload_encryption_key_id().isBlank()) {
            String keys = config.payload_encryption_keys().isBlank()
                    ? System.getenv().getOrDefault("CAREBUS_STORE_PAYLOAD_KEYS", "") : config.payload_encryption_keys();
            cipher = new PayloadCipher(config.payload_encryption_key_id(), StoreFactory.parseKeys(keys));
        }
        // The same bundle's component: its pool carries the H2 durability the writer shares with the other writers.
        PooledEngineDatabase pooled = ((DatabaseComponent) database).pooled();
        store = new JdbcMessageStore(pooled, Duration.ofMinutes(config.duplicate_window_minutes()),
                config.group_commit_max_batch(), Clock.systemUTC(), cipher, () -> { });
        retentionJob = config.retention_days() > 0 ? scheduleRetention(pooled.dataSource(), config) : null;
        LOG.info("Message store open: {}; payloads {}", database.description(),
                cipher == null ? "in clear" : "encrypted with key " + cipher.currentKeyId());
    }

    /** Hourly, the first run a minute after start; a failed run is logged and tried again the next hour. */
    private static java.util.concurrent.ScheduledExecutorService scheduleRetention(javax.sql.DataSource dataSource, StoreConfig config) {
        Path archive = config.retention_archive_directory().isBlank()
                ? Path.of(System.getProperty("karaf.data", "data"), "carebus", "archive")
                : Path.of(config.retention_archive_directory());
        Retention retention = new Retention(dataSource, archive, Clock.systemUTC());
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
        if (retentionJob != null) {
            retentionJob.shutdownNow();
        }
        // The writer stops; the pool stays with DatabaseComponent.
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
    public StoreResult store(InboundMessage message, List<io.carebus.api.store.MessageWarning> warnings,
                             io.carebus.api.store.UnitParticipant participant) {
        return store.store(message, warnings, participant);
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
