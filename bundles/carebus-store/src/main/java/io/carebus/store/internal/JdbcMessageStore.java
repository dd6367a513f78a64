package io.carebus.store.internal;

import io.carebus.api.store.Completion;
import io.carebus.api.store.HistoryEntry;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.MessageWarning;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.store.CloseableMessageStore;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageStore} over JDBC with group commit: callers on any number of connections hand their message to one
 * writer thread and wait; the writer takes everything that queued up meanwhile, inserts it in one transaction, makes
 * it durable once (commit, plus {@code CHECKPOINT SYNC} on H2, which otherwise writes asynchronously), and only then
 * releases all the callers. Durability is paid per batch, not per message.
 */
public final class JdbcMessageStore implements CloseableMessageStore, io.carebus.store.DeferredSyncStore,
        io.carebus.api.store.UnitOfWorkStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcMessageStore.class);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final PayloadCipher cipher;
    /** Forces the embedded H2 database to disk, shared with its other writers; null on PostgreSQL. */
    private final io.carebus.store.H2Durability h2;
    private final Duration duplicateWindow;
    private final int maxBatch;
    private final Clock clock;
    private final BlockingQueue<Write> queue;
    private final Thread writer;
    private volatile boolean running = true;
    /** Run after the writer stopped: closes the pool where the store opened it itself (tests, tools). */
    private final Runnable onClose;
    /** The engine database this store was opened on; null when it was given a bare data source (tests). */
    private io.carebus.api.store.EngineDatabase database;

    public JdbcMessageStore(DataSource dataSource, boolean h2, Duration duplicateWindow, int maxBatch, Clock clock) {
        this(dataSource, h2, duplicateWindow, maxBatch, clock, null);
    }

    JdbcMessageStore(DataSource dataSource, boolean h2, Duration duplicateWindow, int maxBatch, Clock clock, PayloadCipher cipher) {
        this(dataSource, h2 ? io.carebus.store.H2Durability.unshared() : null, duplicateWindow, maxBatch, clock, cipher);
    }

    /**
     * @param h2 the H2 database's shared durability (null on PostgreSQL, whose commit is durable)
     * @param cipher encrypts payloads at rest (AES-256-GCM), or null to store them in clear
     */
    JdbcMessageStore(DataSource dataSource, io.carebus.store.H2Durability h2, Duration duplicateWindow, int maxBatch, Clock clock,
                     PayloadCipher cipher) {
        this(dataSource, h2, duplicateWindow, maxBatch, clock, cipher, () -> {
            if (dataSource instanceof com.zaxxer.hikari.HikariDataSource pool) {
                pool.close();
            }
        });
    }

    /** On the engine's one database, which {@code onClose} closes when the store owns it (and only then). */
    JdbcMessageStore(PooledEngineDatabase database, Duration duplicateWindow, int maxBatch, Clock clock, PayloadCipher cipher,
                     Runnable onClose) {
        this(database.dataSource(), database.h2Durability(), duplicateWindow, maxBatch, clock, cipher, onClose);
        this.database = database;
    }

    private JdbcMessageStore(DataSource dataSource, io.carebus.store.H2Durability h2, Duration duplicateWindow, int maxBatch,
                             Clock clock, PayloadCipher cipher, Runnable onClose) {
        this.onClose = onClose;
        this.cipher = cipher;
        this.dataSource = dataSource;
        this.h2 = h2;
        this.duplicateWindow = duplicateWindow;
        this.maxBatch = maxBatch;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(Math.max(1024, maxBatch * 8));
        this.writer = new Thread(this::writeLoop, "carebus-store-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** {@code deferSync}: committed is enough; the caller forces it later (see {@link #storeCommitted}). */
    private record Write(InboundMessage message, List<MessageWarning> warnings, MessageStatus status, String error, String sha256,
                         boolean deferSync, io.carebus.api.store.UnitParticipant participant, CompletableFuture<Stored> done) {
    }

    /** Writer thread only: the participants of the batch under way that have written, told its outcome once known. */
    private final List<io.carebus.api.store.UnitParticipant> joined = new ArrayList<>();

    /** At most this many warnings are kept per message (a message broken everywhere must not cost a row per field). */
    static final int MAX_WARNINGS = 200;

    /** A stored message's result and, on H2, the ticket of its commit. */
    private record Stored(StoreResult result, long ticket) {
    }

    @Override
    public StoreResult store(InboundMessage message) {
        return store(message, List.of());
    }

    @Override
    public StoreResult store(InboundMessage message, List<MessageWarning> warnings) {
        return submit(message, warnings, MessageStatus.RECEIVED, null, false, null).result();
    }

    /** The message and the participant's rows in one transaction, durable (one forced write) before it returns. */
    @Override
    public StoreResult store(InboundMessage message, List<MessageWarning> warnings,
                             io.carebus.api.store.UnitParticipant participant) {
        return submit(message, warnings, MessageStatus.RECEIVED, null, false, java.util.Objects.requireNonNull(participant))
                .result();
    }

    @Override
    public Committed storeCommitted(InboundMessage message) {
        return storeCommitted(message, List.of());
    }

    @Override
    public Committed storeCommitted(InboundMessage message, List<MessageWarning> warnings) {
        Stored stored = submit(message, warnings, MessageStatus.RECEIVED, null, true, null);
        return new Committed() {
            @Override
            public StoreResult result() {
                return stored.result();
            }

            @Override
            public void awaitDurable() {
                if (h2 == null) {
                    return;
                }
                try {
                    h2.awaitDurable(stored.ticket(), dataSource::getConnection, true);
                } catch (SQLException e) {
                    throw new StoreUnavailableException("the message store could not force message " + stored.result().messageId()
                            + " to disk: " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public long storeRejected(InboundMessage message, String reason) {
        return submit(message, List.of(), MessageStatus.ERROR, truncate(reason), false, null).result().messageId();
    }

    private Stored submit(InboundMessage message, List<MessageWarning> warnings, MessageStatus status, String error,
                          boolean deferSync, io.carebus.api.store.UnitParticipant participant) {
        if (!running) {
            throw new StoreUnavailableException("the message store is closed", null);
        }
        Write write = new Write(message, warnings.size() > MAX_WARNINGS ? List.copyOf(warnings.subList(0, MAX_WARNINGS))
                : List.copyOf(warnings), status, error, Digests.sha256Hex(message.payload()), deferSync, participant,
                new CompletableFuture<>());
        try {
            if (!queue.offer(write, STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StoreUnavailableException("the message store is overloaded (queue full for " + STORE_TIMEOUT + ")", null);
            }
            return write.done().get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StoreUnavailableException s ? s
                    : new StoreUnavailableException("store failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("the message store did not commit within " + STORE_TIMEOUT, e);
        }
    }

    private void writeLoop() {
        List<Write> batch = new ArrayList<>(maxBatch);
        Connection connection = null;
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                if (connection == null || connection.isClosed()) {
                    connection = dataSource.getConnection();
                    connection.setAutoCommit(false);
                }
                List<Stored> results = writeBatch(connection, batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(results.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(batch, new StoreUnavailableException("store writer interrupted", e));
                break;
            } catch (SQLException | RuntimeException e) {
                LOG.error("Message store commit failed for a batch of {}: {}", batch.size(), e.toString());
                rollbackQuietly(connection);
                rolledBack();
                closeQuietly(connection);
                connection = null;
                fail(batch, new StoreUnavailableException("store commit failed: " + e.getMessage(), e));
            } finally {
                batch.clear();
            }
        }
        closeQuietly(connection);
    }

    private List<Stored> writeBatch(Connection c, List<Write> batch) throws SQLException {
        List<StoreResult> results = new ArrayList<>(batch.size());
        try (PreparedStatement dedup = c.prepareStatement(
                // The earliest original with the same content if there is one (a duplicate), else the earliest with
                // other content (a control-id collision).
                "SELECT id, payload_sha256 FROM message WHERE listener = ? AND sender = ? AND control_id = ? AND received_at >= ?"
                        + " AND duplicate_of IS NULL AND status <> 'ERROR'"
                        + " ORDER BY CASE WHEN payload_sha256 = ? THEN 0 ELSE 1 END, id FETCH FIRST 1 ROWS ONLY");
             PreparedStatement insert = c.prepareStatement(
                "INSERT INTO message (listener, remote_address, protocol, message_type, version_id, control_id, sender,"
                        + " received_at, status, error, duplicate_of, payload, payload_sha256, payload_size, payload_key_id,"
                        + " warning_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
             PreparedStatement warningRow = c.prepareStatement(
                "INSERT INTO message_warning (message_id, seq, location, problem, value_length) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement history = c.prepareStatement(
                "INSERT INTO message_history (message_id, at, status, note) VALUES (?, ?, ?, ?)")) {
            Timestamp now = Timestamp.from(clock.instant());
            for (Write w : batch) {
                InboundMessage m = w.message();
                Earlier earlier = w.status() == MessageStatus.RECEIVED ? findEarlier(dedup, m, w.sha256()) : null;
                Long duplicateOf = earlier != null && earlier.sameContent() ? earlier.id() : null;
                Long collidesWith = earlier != null && !earlier.sameContent() ? earlier.id() : null;
                MessageStatus status = duplicateOf != null ? MessageStatus.FILTERED : w.status();
                String error = duplicateOf != null ? "duplicate of message " + duplicateOf : w.error();
                String note = error != null ? error : "received on " + m.listener();
                if (collidesWith != null) {
                    String warning = StoreResult.collisionWarning(truncate(m.controlId(), 200), collidesWith);
                    LOG.warn("Listener {}: message from {}: {}", m.listener(), m.sender(), warning);
                    note = truncate(note + "; warning: " + warning);
                }
                byte[] payload = m.payload();
                insert.setString(1, m.listener());
                insert.setString(2, m.remoteAddress());
                insert.setString(3, m.protocol());
                insert.setString(4, truncate(m.messageType(), 60));
                insert.setString(5, truncate(m.versionId(), 20));
                insert.setString(6, truncate(m.controlId(), 200));
                insert.setString(7, truncate(m.sender(), 400));
                insert.setTimestamp(8, Timestamp.from(m.receivedAt()));
                insert.setString(9, status.name());
                insert.setString(10, error);
                setLong(insert, 11, duplicateOf);
                insert.setBytes(12, cipher == null ? payload : cipher.encrypt(payload));
                insert.setString(13, w.sha256());
                insert.setInt(14, payload.length);
                insert.setString(15, cipher == null ? null : cipher.currentKeyId());
                insert.setInt(16, w.warnings().size());
                insert.executeUpdate();
                long id;
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
                history.setLong(1, id);
                history.setTimestamp(2, now);
                history.setString(3, status.name());
                history.setString(4, note);
                history.addBatch();
                for (int i = 0; i < w.warnings().size(); i++) {
                    addWarningRow(warningRow, id, i, w.warnings().get(i));
                }
                StoreResult result = new StoreResult(id, duplicateOf, collidesWith);
                if (w.participant() != null) {
                    // Told the outcome even when its own write fails part-way (it may hold a lock from the start).
                    joined.add(w.participant());
                    w.participant().write(c, result);
                }
                results.add(result);
            }
            history.executeBatch();
            if (batch.stream().anyMatch(w -> !w.warnings().isEmpty())) {
                warningRow.executeBatch();
            }
        }
        c.commit();
        // Before the forced write: a participant (the audit chain) holds its own order only until the commit.
        for (io.carebus.api.store.UnitParticipant p : joined) {
            p.committed();
        }
        joined.clear();
        long ticket = 0;
        if (h2 != null) {
            // H2 commits to its file asynchronously; an acknowledged message must survive a power cut. A sync another
            // writer of the database began after this commit does as well as our own.
            ticket = h2.committed();
            if (batch.stream().anyMatch(w -> !w.deferSync())) {
                h2.awaitDurable(ticket, () -> c, false);
            }
        }
        List<Stored> stored = new ArrayList<>(results.size());
        for (StoreResult r : results) {
            stored.add(new Stored(r, ticket));
        }
        return stored;
    }

    /** The earlier message with the same listener, sender and control id, and whether its payload is the same. */
    private record Earlier(long id, boolean sameContent) {
    }

    private Earlier findEarlier(PreparedStatement dedup, InboundMessage m, String sha256) throws SQLException {
        if (m.controlId() == null || m.sender() == null || duplicateWindow.isZero()) {
            return null;
        }
        dedup.setString(1, m.listener());
        dedup.setString(2, truncate(m.sender(), 400));
        dedup.setString(3, truncate(m.controlId(), 200));
        dedup.setTimestamp(4, Timestamp.from(m.receivedAt().minus(duplicateWindow)));
        dedup.setString(5, sha256);
        try (ResultSet rs = dedup.executeQuery()) {
            return rs.next() ? new Earlier(rs.getLong(1), sha256.equals(rs.getString(2))) : null;
        }
    }

    @Override
    public Optional<StoredMessage> find(long messageId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT listener, remote_address, protocol, message_type, version_id,"
                     + " control_id, sender, received_at, status, error, duplicate_of, payload, payload_key_id FROM message WHERE id = ?")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] payload = rs.getBytes(12);
                if (payload != null) {
                    payload = decrypted(messageId, payload, rs.getString(13));
                }
                InboundMessage m = new InboundMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getTimestamp(8).toInstant(),
                        payload == null ? new byte[0] : payload);
                long dup = rs.getLong(11);
                return Optional.of(new StoredMessage(messageId, m, MessageStatus.valueOf(rs.getString(9)), rs.getString(10),
                        rs.wasNull() ? null : dup));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read message " + messageId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<HistoryEntry> history(long messageId) {
        List<HistoryEntry> entries = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT at, status, note FROM message_history WHERE message_id = ? ORDER BY at")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new HistoryEntry(rs.getTimestamp(1).toInstant(), MessageStatus.valueOf(rs.getString(2)),
                            rs.getString(3)));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read history of message " + messageId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<MessageWarning> warnings(long messageId) {
        List<MessageWarning> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT location, problem, value_length FROM message_warning WHERE message_id = ? ORDER BY seq")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int length = rs.getInt(3);
                    Integer valueLength = rs.wasNull() ? null : length;
                    found.add(new MessageWarning(rs.getString(1), rs.getString(2), valueLength));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the warnings of message " + messageId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<MessageSummary> search(MessageQuery q) {
        StringBuilder sql = new StringBuilder("SELECT id, listener, remote_address, protocol, message_type, version_id,"
                + " control_id, sender, received_at, status, error, duplicate_of, payload_size, warning_count FROM message"
                + " WHERE 1 = 1");
        if (q.withWarnings()) {
            sql.append(" AND warning_count > 0");
        }
        List<Object> args = new ArrayList<>();
        if (q.controlId() != null) {
            sql.append(" AND control_id = ?");
            args.add(q.controlId());
        }
        if (q.status() != null) {
            sql.append(" AND status = ?");
            args.add(q.status().name());
        }
        if (q.messageType() != null) {
            sql.append(" AND message_type LIKE ? ESCAPE '!'");
            args.add(q.messageType().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        if (q.sender() != null) {
            sql.append(" AND sender = ?");
            args.add(q.sender());
        }
        if (q.since() != null) {
            sql.append(" AND received_at >= ?");
            args.add(Timestamp.from(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND received_at < ?");
            args.add(Timestamp.from(q.until()));
        }
        if (q.patientIdentifier() != null) {
            sql.append(" AND id IN (SELECT message_id FROM message_patient WHERE identifier_sha256 = ?)");
            args.add(Digests.sha256Hex(q.patientIdentifier().getBytes(StandardCharsets.UTF_8)));
        }
        if (q.beforeId() != null) {
            sql.append(" AND id < ?");
            args.add(q.beforeId());
        }
        sql.append(" ORDER BY id DESC FETCH FIRST ").append(q.limit()).append(" ROWS ONLY");
        List<MessageSummary> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long dup = rs.getLong(12);
                    Long duplicateOf = rs.wasNull() ? null : dup;
                    found.add(new MessageSummary(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getTimestamp(9).toInstant(), MessageStatus.valueOf(rs.getString(10)), rs.getString(11),
                            duplicateOf, rs.getInt(13), rs.getInt(14)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not search messages: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Long> unfinished(String protocol) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM message WHERE status = 'RECEIVED' AND protocol = ? ORDER BY id")) {
            ps.setString(1, protocol);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not list unfinished messages: " + e.getMessage(), e);
        }
    }

    @Override
    public void updateStatus(long messageId, MessageStatus status, String note) {
        inTransaction("update message " + messageId, c -> writeStatus(c, messageId, status, note));
    }

    @Override
    public void attachCanonical(long messageId, byte[] canonicalJson, Collection<String> patientIdentifiers) {
        inTransaction("keep the canonical form of message " + messageId,
                c -> writeCanonical(c, messageId, canonicalJson, patientIdentifiers));
    }

    @Override
    public void complete(List<Completion> completions) {
        if (completions.isEmpty()) {
            return;
        }
        inTransaction("complete " + completions.size() + " messages", c -> {
            for (Completion done : completions) {
                writeStatus(c, done.messageId(), done.status(), done.note());
                if (done.canonicalJson() != null) {
                    writeCanonical(c, done.messageId(), done.canonicalJson(), done.patientIdentifiers());
                    writeMappingWarnings(c, done.messageId(), done.mappingWarnings());
                }
            }
        });
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(String what, Work work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    private void writeStatus(Connection c, long messageId, MessageStatus status, String note) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE message SET status = ?, error = ? WHERE id = ?");
             PreparedStatement history = c.prepareStatement(
                     "INSERT INTO message_history (message_id, at, status, note) VALUES (?, ?, ?, ?)")) {
            update.setString(1, status.name());
            update.setString(2, status == MessageStatus.ERROR ? truncate(note) : null);
            update.setLong(3, messageId);
            if (update.executeUpdate() != 1) {
                throw new IllegalArgumentException("no message " + messageId);
            }
            history.setLong(1, messageId);
            history.setTimestamp(2, Timestamp.from(clock.instant()));
            history.setString(3, status.name());
            history.setString(4, truncate(note));
            history.executeUpdate();
        }
    }

    /**
     * Mapping warnings sit after intake's (which take {@code seq} 0 to {@link #MAX_WARNINGS} - 1) from
     * {@link #MAPPING_WARNING_SEQ}, so a new mapping of the message (a reprocess) replaces its own and keeps intake's.
     */
    static final int MAPPING_WARNING_SEQ = 10_000;

    private void writeMappingWarnings(Connection c, long messageId, List<MessageWarning> warnings) throws SQLException {
        try (PreparedStatement clear = c.prepareStatement("DELETE FROM message_warning WHERE message_id = ? AND seq >= ?")) {
            clear.setLong(1, messageId);
            clear.setInt(2, MAPPING_WARNING_SEQ);
            if (clear.executeUpdate() == 0 && warnings.isEmpty()) {
                return;
            }
        }
        List<MessageWarning> kept = warnings.size() > MAX_WARNINGS ? warnings.subList(0, MAX_WARNINGS) : warnings;
        try (PreparedStatement row = c.prepareStatement(
                "INSERT INTO message_warning (message_id, seq, location, problem, value_length) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement count = c.prepareStatement(
                     "UPDATE message SET warning_count = (SELECT COUNT(*) FROM message_warning WHERE message_id = ?) WHERE id = ?")) {
            for (int i = 0; i < kept.size(); i++) {
                addWarningRow(row, messageId, MAPPING_WARNING_SEQ + i, kept.get(i));
            }
            if (!kept.isEmpty()) {
                row.executeBatch();
            }
            count.setLong(1, messageId);
            count.setLong(2, messageId);
            count.executeUpdate();
        }
    }

    /** One row of {@code INSERT INTO message_warning (message_id, seq, location, problem, value_length)}, batched. */
    private static void addWarningRow(PreparedStatement row, long messageId, int seq, MessageWarning warning) throws SQLException {
        row.setLong(1, messageId);
        row.setInt(2, seq);
        row.setString(3, truncate(warning.location(), 60));
        row.setString(4, truncate(warning.problem(), 400));
        if (warning.valueLength() == null) {
            row.setNull(5, java.sql.Types.INTEGER);
        } else {
            row.setInt(5, warning.valueLength());
        }
        row.addBatch();
    }

    private void writeCanonical(Connection c, long messageId, byte[] canonicalJson, Collection<String> patientIdentifiers)
            throws SQLException {
        Set<String> keys = new LinkedHashSet<>();
        for (String identifier : patientIdentifiers) {
            keys.add(Digests.sha256Hex(identifier.getBytes(StandardCharsets.UTF_8)));
            int bar = identifier.lastIndexOf('|');
            if (bar >= 0) {
                keys.add(Digests.sha256Hex(identifier.substring(bar + 1).getBytes(StandardCharsets.UTF_8)));
            }
        }
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM message WHERE id = ?");
             PreparedStatement clear = c.prepareStatement("DELETE FROM message_canonical WHERE message_id = ?");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO message_canonical (message_id, canonical, key_id) VALUES (?, ?, ?)");
             PreparedStatement clearIndex = c.prepareStatement("DELETE FROM message_patient WHERE message_id = ?");
             PreparedStatement index = c.prepareStatement(
                     "INSERT INTO message_patient (message_id, identifier_sha256) VALUES (?, ?)")) {
            exists.setLong(1, messageId);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no message " + messageId);
                }
            }
            clear.setLong(1, messageId);
            clear.executeUpdate();
            insert.setLong(1, messageId);
            insert.setBytes(2, cipher == null ? canonicalJson : cipher.encrypt(canonicalJson));
            insert.setString(3, cipher == null ? null : cipher.currentKeyId());
            insert.executeUpdate();
            clearIndex.setLong(1, messageId);
            clearIndex.executeUpdate();
            for (String key : keys) {
                index.setLong(1, messageId);
                index.setString(2, key);
                index.addBatch();
            }
            index.executeBatch();
        }
    }

    @Override
    public Optional<byte[]> canonical(long messageId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT canonical, key_id FROM message_canonical WHERE message_id = ?")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getBytes(1) == null) {
                    return Optional.empty();
                }
                return Optional.of(decrypted(messageId, rs.getBytes(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the canonical form of message " + messageId + ": "
                    + e.getMessage(), e);
        }
    }

    private byte[] decrypted(long messageId, byte[] stored, String keyId) {
        if (keyId == null) {
            return stored;
        }
        if (cipher == null) {
            throw new StoreUnavailableException("message " + messageId + " is encrypted (key '" + keyId
                    + "') but no payload key is configured", null);
        }
        return cipher.decrypt(stored, keyId);
    }

    @Override
    public io.carebus.api.store.EngineDatabase database() {
        if (database == null) {
            throw new IllegalStateException("this store was opened on a bare data source, not an engine database");
        }
        return database;
    }

    /** The pool this store reads and writes through; closed with the store. */
    javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Write> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new StoreUnavailableException("the message store is closed", null));
        onClose.run();
    }

    /** The batch's transaction did not commit: every participant that wrote is told so. */
    private void rolledBack() {
        for (io.carebus.api.store.UnitParticipant p : joined) {
            try {
                p.rolledBack();
            } catch (RuntimeException e) {
                LOG.error("A participant of a rolled-back message transaction failed to undo: {}", e.toString());
            }
        }
        joined.clear();
    }

    private static void fail(List<Write> batch, StoreUnavailableException e) {
        batch.forEach(w -> w.done().completeExceptionally(e));
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static String truncate(String s) {
        return truncate(s, 4000);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (c != null) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // The connection is discarded next anyway.
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // Nothing more to do with a broken connection.
        }
    }
}
