import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Issue 24's spike: where should an intake's durability point be? One group-commit writer takes whatever producers
 * have queued (up to 256 units of work, each a message row and its audit record, the audit chain's sequence and hash
 * assigned in the writer) and makes the group durable by one of:
 * <ul>
 * <li>{@code db}: one transaction, batched inserts, one forced write (H2: commit then {@code CHECKPOINT SYNC}, as the
 * engine does; PostgreSQL: commit with synchronous_commit on, one WAL flush);</li>
 * <li>{@code journal}: the group appended to a checksummed journal segment and {@code force(false)} (fdatasync); the
 * producers are released then; a second thread applies the groups to the same database behind, without forcing
 * (what a restart would replay from the journal). The apply's CPU counts, as it would in the engine.</li>
 * </ul>
 * Producers wait for their record to be durable before submitting the next, like an MLLP connection waiting for its
 * ACK. Prints records/s and per-record latency (submit to durable) p50/p99.
 * <p>
 * Usage: {@code java -cp h2.jar:postgresql.jar StorageSpike.java <jdbc-url> <user> <password> <dir> [producers]
 * [records] [rounds]}
 */
public class StorageSpike {

    record Unit(byte[] message, String auditJson, long submittedNanos, CompletableFuture<Void> durable) {
    }

    static final int MAX_GROUP = 256;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        Path dir = Path.of(args[3]);
        int producers = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        int records = args.length > 5 ? Integer.parseInt(args[5]) : 20000;
        int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 3;
        Files.createDirectories(dir);
        boolean h2 = url.startsWith("jdbc:h2:");
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS spike_message");
            s.execute("DROP TABLE IF EXISTS spike_audit");
            s.execute("CREATE TABLE spike_message (id BIGINT PRIMARY KEY, payload " + (h2 ? "VARBINARY" : "BYTEA")
                    + " NOT NULL, received BIGINT NOT NULL)");
            s.execute("CREATE TABLE spike_audit (seq BIGINT PRIMARY KEY, prev_hash VARCHAR(64) NOT NULL,"
                    + " hash VARCHAR(64) NOT NULL, record VARCHAR(4000) NOT NULL)");
        }
        String[] modes = {"db", "journal"};
        System.out.printf("%s, %d producers, %d records per round, %d rounds%n", h2 ? "H2" : "PostgreSQL", producers,
                records, rounds);
        // warm-up, then alternating rounds
        for (String mode : modes) {
            run(mode, url, user, password, dir, producers, records, h2, false);
            run(mode, url, user, password, dir, producers, records, h2, false);
        }
        for (int r = 0; r < rounds; r++) {
            for (String mode : modes) {
                run(mode, url, user, password, dir, producers, records, h2, true);
            }
        }
    }

    static void run(String mode, String url, String user, String password, Path dir, int producers, int records,
            boolean h2, boolean print) throws Exception {
        BlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
        Writer writer = mode.equals("db")
                ? new DbWriter(url, user, password, h2)
                : new JournalWriter(dir.resolve("journal-" + System.nanoTime() + ".seg"), url, user, password, h2);
        Thread writerThread = new Thread(() -> writer.loop(queue), "writer");
        writerThread.start();
        long[] latencies = new long[records];
        int perProducer = records / producers;
        CountDownLatch done = new CountDownLatch(producers);
        byte[] template = ("MSH|^~\\&|MONITOR|ICU|CAREBUS|HOSP|20261205120000||ORU^R01|CTRL|P|2.5.1\r"
                + "PID|1||MRN000123^^^HOSP^MR||DOE^JANE||19500101|F\r"
                + "OBR|1||OBS1|85354-9^BP panel^LN\r"
                + "OBX|1|NM|8867-4^Heart rate^LN||121|/min|||||F|||20261205115900\r".repeat(12))
                .getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        byte[] message = template.clone();
                        long t0 = System.nanoTime();
                        Unit u = new Unit(message, "{\"type\":\"MESSAGE_RECEIVED\",\"actor\":\"mllp:main\",\"n\":"
                                + (base + i) + ",\"outcome\":\"0\"}", t0, new CompletableFuture<>());
                        queue.add(u);
                        u.durable().get();
                        latencies[base + i] = System.nanoTime() - t0;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
        done.await();
        long elapsed = System.nanoTime() - start;
        writer.stop();
        writerThread.interrupt();
        writerThread.join();
        long elapsedApplied = System.nanoTime() - start;
        int n = perProducer * producers;
        long[] l = Arrays.copyOf(latencies, n);
        Arrays.sort(l);
        if (print) {
            System.out.printf("%-8s %,9.0f records/s durable (%,9.0f/s in the database)  p50 %5.2f ms  p99 %6.2f ms"
                    + "  mean group %5.1f%n", mode, n / (elapsed / 1e9), n / (elapsedApplied / 1e9), l[n / 2] / 1e6,
                    l[(int) (n * 0.99)] / 1e6, writer.meanGroup());
        }
    }

    abstract static class Writer {
        long groups;
        long units;
        long seq;
        String prevHash = "0".repeat(64);
        volatile boolean stopping;
        final MessageDigest sha;

        Writer() throws Exception {
            sha = MessageDigest.getInstance("SHA-256");
        }

        double meanGroup() {
            return groups == 0 ? 0 : (double) units / groups;
        }

        void stop() throws Exception {
            stopping = true;
        }

        void loop(BlockingQueue<Unit> queue) {
            List<Unit> group = new ArrayList<>(MAX_GROUP);
            try {
                while (true) {
                    Unit first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stopping) {
                            return;
                        }
                        continue;
                    }
                    group.add(first);
                    queue.drainTo(group, MAX_GROUP - 1);
                    makeDurable(group);
                    groups++;
                    units += group.size();
                    group.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(2);
            }
        }

        /** The audit chain, assigned in the writer, in commit order. */
        String[] chain(Unit u) {
            long s = ++seq;
            sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
            sha.update(u.auditJson().getBytes(StandardCharsets.UTF_8));
            String hash = java.util.HexFormat.of().formatHex(sha.digest());
            String[] r = {Long.toString(s), prevHash, hash};
            prevHash = hash;
            return r;
        }

        abstract void makeDurable(List<Unit> group) throws Exception;
    }

    /** Shared by both modes: one transaction of batched inserts. */
    static final class Inserter {
        final Connection c;
        final PreparedStatement message;
        final PreparedStatement audit;
        long nextId;

        Inserter(String url, String user, String password, boolean durable) throws Exception {
            c = DriverManager.getConnection(url, user, password);
            c.setAutoCommit(false);
            if (!durable && !url.startsWith("jdbc:h2:")) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET synchronous_commit = off");
                }
            }
            try (Statement s = c.createStatement()) {
                var rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM spike_message");
                rs.next();
                nextId = rs.getLong(1) + 1;
            }
            message = c.prepareStatement("INSERT INTO spike_message (id, payload, received) VALUES (?, ?, ?)");
            audit = c.prepareStatement("INSERT INTO spike_audit (seq, prev_hash, hash, record) VALUES (?, ?, ?, ?)");
        }

        void insert(List<Unit> group, List<String[]> chains) throws Exception {
            for (int i = 0; i < group.size(); i++) {
                Unit u = group.get(i);
                message.setLong(1, nextId++);
                message.setBytes(2, u.message());
                message.setLong(3, System.currentTimeMillis());
                message.addBatch();
                String[] ch = chains.get(i);
                audit.setLong(1, Long.parseLong(ch[0]));
                audit.setString(2, ch[1]);
                audit.setString(3, ch[2]);
                audit.setString(4, u.auditJson());
                audit.addBatch();
            }
            message.executeBatch();
            audit.executeBatch();
            c.commit();
        }
    }

    static final class DbWriter extends Writer {
        final Inserter inserter;
        final boolean h2;

        DbWriter(String url, String user, String password, boolean h2) throws Exception {
            inserter = new Inserter(url, user, password, true);
            this.h2 = h2;
            try (Statement s = inserter.c.createStatement()) {
                var rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM spike_audit");
                rs.next();
                seq = rs.getLong(1);
            }
        }

        @Override
        void makeDurable(List<Unit> group) throws Exception {
            List<String[]> chains = new ArrayList<>(group.size());
            for (Unit u : group) {
                chains.add(chain(u));
            }
            inserter.insert(group, chains);
            if (h2) {
                try (Statement s = inserter.c.createStatement()) {
                    s.execute("CHECKPOINT SYNC");
                }
            }
            for (Unit u : group) {
                u.durable().complete(null);
            }
        }

        @Override
        void stop() throws Exception {
            super.stop();
        }
    }

    static final class JournalWriter extends Writer {
        final FileChannel channel;
        final CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
        final BlockingQueue<Object[]> applyQueue = new ArrayBlockingQueue<>(64);
        final Thread applier;
        final Inserter inserter;
        volatile long appliedGroups;
        long journalBytes;

        JournalWriter(Path file, String url, String user, String password, boolean h2) throws Exception {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            inserter = new Inserter(url, user, password, false);
            try (Statement s = inserter.c.createStatement()) {
                var rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM spike_audit");
                rs.next();
                seq = rs.getLong(1);
            }
            applier = new Thread(this::apply, "applier");
            applier.start();
        }

        @SuppressWarnings("unchecked")
        void apply() {
            try {
                while (true) {
                    Object[] g = applyQueue.take();
                    if (g.length == 0) {
                        return;
                    }
                    inserter.insert((List<Unit>) g[0], (List<String[]>) g[1]);
                    appliedGroups++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(3);
            }
        }

        @Override
        void makeDurable(List<Unit> group) throws Exception {
            List<String[]> chains = new ArrayList<>(group.size());
            buffer.clear();
            for (Unit u : group) {
                String[] ch = chain(u);
                chains.add(ch);
                byte[] audit = (ch[0] + "|" + ch[1] + "|" + ch[2] + "|" + u.auditJson())
                        .getBytes(StandardCharsets.UTF_8);
                int len = 4 + u.message().length + 4 + audit.length;
                crc.reset();
                crc.update(u.message());
                crc.update(audit);
                buffer.putInt(len).putInt((int) crc.getValue())
                        .putInt(u.message().length).put(u.message()).putInt(audit.length).put(audit);
            }
            buffer.flip();
            journalBytes += buffer.remaining();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            for (Unit u : group) {
                u.durable().complete(null);
            }
            applyQueue.put(new Object[] {new ArrayList<>(group), chains});
        }

        @Override
        void stop() throws Exception {
            super.stop();
            applyQueue.put(new Object[0]);
            applier.join();
            channel.close();
        }
    }
}
