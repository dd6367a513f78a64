package io.carebus.audit.internal;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.model.ModelId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit table behind {@link AuditTrail}. One writer thread takes every waiting record, gives each the
 * next sequence number and chain hash, inserts them in one transaction and forces it to disk (H2: CHECKPOINT SYNC;
 * PostgreSQL: its own commit fsync); only then does {@link #append} return. Concurrent callers so share one commit, and
 * the audit does not become the bottleneck of the work it records.
 */
final class JdbcAuditLog implements AuditTrail, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAuditLog.class);
    private static final String COLUMNS = "seq, at_millis, node_id, actor, remote_address, action, outcome, entities, route_id,"
            + " model_id, model_version, model_sha256, input_sha256, output_sha256, detail, key_id, chain_hash";

    private record Pending(AuditRecord record, CompletableFuture<Long> done) {
    }

    private static final String INSERT = "INSERT INTO audit_record (" + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    /** Forces the embedded H2 database to disk, shared with its other writers; nothing on PostgreSQL. */
    private final Durability durability;
    private final ChainKeys keys;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(100_000);
    private final Thread writer;
    private volatile boolean running = true;
    private long lastSeq;
    private String lastHash;
    /**
     * Held from taking the chain head to the commit of the records chained on it, by this log's writer or by the
     * message store's writer for records in a message's unit of work ({@link #recordWith}): the chain stays in commit
     * order with two writers.
     */
    private final java.util.concurrent.locks.ReentrantLock chain = new java.util.concurrent.locks.ReentrantLock();
    /** Under {@link #chain}: a transaction failed, so the table's head may be ahead of {@link #lastSeq}. */
    private boolean headUncertain;
    /** Under {@link #chain}, store writer's transaction only: the last record chained in it, not yet committed. */
    private long pendingSeq;
    private String pendingHash;

    JdbcAuditLog(DataSource dataSource, boolean h2, ChainKeys keys, int maxBatch) {
        this(dataSource, h2 ? io.carebus.store.H2Durability.unshared() : null, keys, maxBatch);
    }

    /** @param h2 the H2 database's shared durability (null on PostgreSQL, whose commit is durable) */
    JdbcAuditLog(DataSource dataSource, io.carebus.store.H2Durability h2, ChainKeys keys, int maxBatch) {
        this(dataSource, h2 == null ? c -> { } : c -> h2.awaitDurable(h2.committed(), () -> c, false), keys, maxBatch);
    }

    /** On the engine's one database, sharing its forced writes with the database's other writers. */
    JdbcAuditLog(io.carebus.api.store.EngineDatabase database, ChainKeys keys, int maxBatch) {
        this(database.dataSource(), database::awaitDurable, keys, maxBatch);
    }

    /** What makes a commit durable: nothing more on PostgreSQL; a (shared) forced write on H2. */
    interface Durability {
        void awaitDurable(Connection committedOn) throws SQLException;
    }

    private JdbcAuditLog(DataSource dataSource, Durability durability, ChainKeys keys, int maxBatch) {
        this.dataSource = dataSource;
        this.durability = durability;
        this.keys = keys;
        this.maxBatch = maxBatch;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, chain_hash FROM audit_record ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY")) {
            lastSeq = rs.next() ? rs.getLong(1) : 0;
            lastHash = lastSeq == 0 ? ChainKeys.GENESIS : rs.getString(2);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the head of the audit chain: " + e.getMessage(), e);
        }
        writer = new Thread(this::writeLoop, "carebus-audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public long append(AuditRecord record) {
        try {
            return appendAsync(record).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while appending an audit record", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("audit record not stored: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("audit record not stored within 60 s", e);
        }
    }

    /**
     * Queues a record and returns at once; the future completes with its sequence number once it is durable. For
     * bulk writers (benchmarks, imports) that keep many records in flight; {@link #append} waits for one.
     */
    CompletableFuture<Long> appendAsync(AuditRecord record) throws InterruptedException {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (!running || !queue.offer(new Pending(record, done), 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the audit trail is not accepting records");
        }
        return done;
    }

    /** The chain head, for anchors: the last sequence number and its hash. */
    synchronized Head head() {
        return new Head(lastSeq, lastHash);
    }

    record Head(long seq, String hash) {
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        // The writer keeps its connection: opening one per batch costs a PostgreSQL log-in (several ms) or a new H2
        // session on every commit. A failed batch drops it, and the next batch opens a fresh one.
        Connection connection = null;
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                connection = write(connection, batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        closeQuietly(connection);
    }

    /**
     * Writes one batch; returns the connection to use for the next, null when the batch failed. A kept connection
     * that fails before its commit (the database restarted, a network drop) gets one retry on a fresh connection, so
     * a broken idle connection costs no caller its record. After any failure the chain head is read back from the
     * table before the next insert, since a commit whose answer was lost may have stored it.
     */
    private Connection write(Connection connection, List<Pending> batch) {
        if (connection != null) {
            try {
                insert(connection, batch);
                return connection;
            } catch (SQLException | RuntimeException e) {
                closeQuietly(connection);
                if (e instanceof NotDurable) {
                    // Committed, not forced: written once is enough; the callers are told it is not confirmed.
                    fail(batch, e);
                    return null;
                }
                LOG.debug("Audit batch failed on the kept connection, retrying on a new one: {}", e.getMessage());
            }
        }
        Connection fresh = null;
        try {
            fresh = dataSource.getConnection();
            fresh.setAutoCommit(false);
            insert(fresh, batch);
            return fresh;
        } catch (SQLException | RuntimeException e) {
            fail(batch, e);
            closeQuietly(fresh);
            return null;
        }
    }

    private void fail(List<Pending> batch, Exception e) {
        LOG.error("Audit batch of {} records not stored: {}", batch.size(), e.getMessage());
        batch.forEach(p -> p.done().completeExceptionally(e));
    }

    /** The batch was committed but could not be forced to disk. */
    private static final class NotDurable extends RuntimeException {
        NotDurable(SQLException cause) {
            super("audit records committed but not forced to disk: " + cause.getMessage(), cause);
        }
    }

    /** Reads the head back from the table, within the caller's transaction (under {@link #chain}). */
    private void readHead(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, chain_hash FROM audit_record ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY")) {
            boolean any = rs.next();
            synchronized (this) {
                lastSeq = any ? rs.getLong(1) : 0;
                lastHash = any ? rs.getString(2) : ChainKeys.GENESIS;
            }
        }
    }

    /** Chains, inserts and commits (durably) one batch, then completes its callers. */
    private void insert(Connection c, List<Pending> batch) throws SQLException {
        chain.lock();
        long[] seqs;
        try {
            seqs = insertChained(c, batch);
        } finally {
            chain.unlock();
        }
        try {
            durability.awaitDurable(c);
        } catch (SQLException e) {
            throw new NotDurable(e);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(seqs[i]);
        }
    }

    /** Under {@link #chain}: chains, inserts and commits the batch; returns the sequence numbers. */
    private long[] insertChained(Connection c, List<Pending> batch) throws SQLException {
        if (headUncertain) {
            readHead(c);
            headUncertain = false;
        }
        long seq;
        String hash;
        synchronized (this) {
            seq = lastSeq;
            hash = lastHash;
        }
        long[] seqs = new long[batch.size()];
        String[] hashes = new String[batch.size()];
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int i = 0; i < batch.size(); i++) {
                seq++;
                AuditRow row = new AuditRow(seq, batch.get(i).record(), keys.currentId(), null);
                hash = keys.chain(keys.currentId(), hash, row.canonical());
                bind(insert, new AuditRow(seq, row.record(), row.keyId(), hash));
                insert.addBatch();
                seqs[i] = seq;
                hashes[i] = hash;
            }
            insert.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            // A commit whose answer was lost may have stored the batch: read the head back before chaining again.
            headUncertain = true;
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        // Committed: the chain continues from here whatever happens next.
        synchronized (this) {
            lastSeq = seqs[seqs.length - 1];
            lastHash = hashes[hashes.length - 1];
        }
        return seqs;
    }

    /**
     * The record {@code record} makes of a stored message, written by the message store's writer in the message's
     * transaction: the chain lock is taken at its write and held until the transaction's outcome is known, so its
     * sequence number and previous hash are assigned in commit order, and both rows share one forced write.
     */
    @Override
    public java.util.Optional<io.carebus.api.store.UnitParticipant> recordWith(
            java.util.function.Function<io.carebus.api.store.MessageStore.StoreResult, AuditRecord> record) {
        return java.util.Optional.of(new io.carebus.api.store.UnitParticipant() {
            @Override
            public void write(Connection c, io.carebus.api.store.MessageStore.StoreResult stored) throws SQLException {
                chain.lock();
                if (chain.getHoldCount() == 1) {
                    // The first record of this transaction: chain on the committed head.
                    if (headUncertain) {
                        readHead(c);
                        headUncertain = false;
                    }
                    synchronized (JdbcAuditLog.this) {
                        pendingSeq = lastSeq;
                        pendingHash = lastHash;
                    }
                }
                long seq = pendingSeq + 1;
                AuditRow row = new AuditRow(seq, record.apply(stored), keys.currentId(), null);
                String hash = keys.chain(keys.currentId(), pendingHash, row.canonical());
                try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                    bind(insert, new AuditRow(seq, row.record(), row.keyId(), hash));
                    insert.executeUpdate();
                }
                pendingSeq = seq;
                pendingHash = hash;
            }

            @Override
            public void committed() {
                synchronized (JdbcAuditLog.this) {
                    lastSeq = pendingSeq;
                    lastHash = pendingHash;
                }
                chain.unlock();
            }

            @Override
            public void rolledBack() {
                // The commit may have happened with its answer lost: read the head back before chaining again.
                headUncertain = true;
                chain.unlock();
            }
        });
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the audit writer's connection: {}", e.getMessage());
            }
        }
    }

    private static void bind(PreparedStatement ps, AuditRow row) throws SQLException {
        AuditRecord r = row.record();
        ps.setLong(1, row.seq());
        ps.setLong(2, r.at().toEpochMilli());
        ps.setString(3, r.nodeId());
        ps.setString(4, r.actor());
        ps.setString(5, r.remoteAddress());
        ps.setString(6, r.action().name());
        ps.setString(7, r.outcome().name());
        ps.setString(8, r.entities().isEmpty() ? null : String.join("\u001f", r.entities()));
        ps.setString(9, r.routeId());
        ps.setString(10, r.model() == null ? null : r.model().id());
        ps.setString(11, r.model() == null ? null : r.model().version());
        ps.setString(12, r.model() == null ? null : r.model().sha256().hex());
        ps.setString(13, r.inputHash() == null ? null : r.inputHash().hex());
        ps.setString(14, r.outputHash() == null ? null : r.outputHash().hex());
        ps.setString(15, r.detail());
        ps.setString(16, row.keyId());
        ps.setString(17, row.chainHash());
    }

    /** Reading this table as an {@link io.carebus.audit.AuditLog} (exporters, tools). */
    static io.carebus.audit.AuditLog reader(DataSource dataSource) {
        return (from, limit) -> {
            try {
                return entries(dataSource, from, limit);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
            }
        };
    }

    /** The stored records from {@code fromSeq} on, as the exported API's entries. */
    static List<io.carebus.audit.AuditEntry> entries(DataSource dataSource, long fromSeq, int limit) throws SQLException {
        return read(dataSource, fromSeq, limit).stream()
                .map(r -> new io.carebus.audit.AuditEntry(r.seq(), r.record(), r.keyId(), r.chainHash())).toList();
    }

    /** At most {@code limit} rows from {@code fromSeq} on, in sequence order. */
    static List<AuditRow> read(DataSource dataSource, long fromSeq, int limit) throws SQLException {
        List<AuditRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record WHERE seq >= ? ORDER BY seq"
                     + " FETCH FIRST " + limit + " ROWS ONLY")) {
            ps.setLong(1, fromSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        }
        return rows;
    }

    /** What verification needs of a row: its place, its canonical bytes, key id and chain hash (no parsing). */
    record ChainLink(long seq, byte[] canonical, String keyId, String chainHash) {
    }

    /** Streams the rows as chain links, in sequence order: the fast path of verification. */
    static void readLinks(DataSource dataSource, Consumer<ChainLink> sink) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record ORDER BY seq")) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String entities = rs.getString(8);
                        byte[] canonical = AuditRow.canonical(Long.toString(rs.getLong(2)), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), entities == null ? "" : entities,
                                rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
                                rs.getString(14), rs.getString(15), rs.getString(16));
                        sink.accept(new ChainLink(rs.getLong(1), canonical, rs.getString(16), rs.getString(17)));
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }

    /** Streams the rows in sequence order from {@code fromSeq} on. */
    static void read(DataSource dataSource, long fromSeq, Consumer<AuditRow> sink) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL streams with a fetch size only inside a transaction.
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_record WHERE seq >= ? ORDER BY seq")) {
                ps.setFetchSize(10_000);
                ps.setLong(1, fromSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(row(rs));
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static AuditRow row(ResultSet rs) throws SQLException {
        String entities = rs.getString(8);
        String modelId = rs.getString(10);
        ModelId model = modelId == null ? null : new ModelId(modelId, rs.getString(11), new Sha256(rs.getString(12)));
        AuditRecord record = new AuditRecord(Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), AuditAction.valueOf(rs.getString(6)), AuditRecord.Outcome.valueOf(rs.getString(7)),
                entities == null ? List.of() : Arrays.asList(entities.split("\u001f", -1)), rs.getString(9), model,
                sha(rs.getString(13)), sha(rs.getString(14)), rs.getString(15));
        return new AuditRow(rs.getLong(1), record, rs.getString(16), rs.getString(17));
    }

    private static Sha256 sha(String hex) {
        return hex == null ? null : new Sha256(hex);
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(new IllegalStateException("the audit trail is closed")));
    }
}
