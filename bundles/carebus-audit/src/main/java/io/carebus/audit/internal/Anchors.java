package io.carebus.audit.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Signed checkpoints of the chain head, one small file each in a directory apart from the database (configure it on
 * another volume, or one the engine can only append to): {@code anchor-<seq>.txt} holds the sequence number, its
 * chain hash, the time, the key id and an HMAC over those. A database cut short behind the latest anchor, or rewritten
 * wholesale, no longer matches it.
 */
final class Anchors {

    record Anchor(long seq, String hash, Instant at, String keyId, String signature) {
        String signedText() {
            return "carebus-audit-anchor|" + seq + "|" + hash + "|" + at.toEpochMilli() + "|" + keyId;
        }
    }

    private final Path directory;
    private final ChainKeys keys;

    Anchors(Path directory, ChainKeys keys) {
        this.directory = directory;
        this.keys = keys;
    }

    /** Writes an anchor for the head (forced to disk); nothing when the head is already anchored or the chain empty. */
    Optional<Anchor> write(long seq, String hash, Instant at) throws IOException {
        if (seq == 0 || latest().map(a -> a.seq() >= seq).orElse(false)) {
            return Optional.empty();
        }
        Files.createDirectories(directory);
        Anchor unsigned = new Anchor(seq, hash, at, keys.currentId(), null);
        Anchor anchor = new Anchor(seq, hash, at, keys.currentId(), keys.sign(keys.currentId(), unsigned.signedText()));
        String text = "seq=" + seq + "\nhash=" + hash + "\nat=" + at.toEpochMilli() + "\nkey=" + anchor.keyId()
                + "\nsignature=" + anchor.signature() + "\n";
        Path file = directory.resolve(String.format("anchor-%020d.txt", seq));
        Path temp = directory.resolve(file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Optional.of(anchor);
    }

    /** The anchor with the highest sequence number, as written (its signature is checked by {@link #valid}). */
    Optional<Anchor> latest() throws IOException {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.getFileName().toString().matches("anchor-\\d{20}\\.txt"))
                    .sorted(Comparator.reverseOrder()).toList();
        }
        return files.isEmpty() ? Optional.empty() : Optional.of(read(files.get(0)));
    }

    boolean valid(Anchor anchor) {
        return keys.has(anchor.keyId()) && keys.sign(anchor.keyId(), anchor.signedText()).equals(anchor.signature());
    }

    private static Anchor read(Path file) throws IOException {
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            return new Anchor(Long.parseLong(fields.get("seq")), fields.get("hash"),
                    Instant.ofEpochMilli(Long.parseLong(fields.get("at"))), fields.get("key"), fields.get("signature"));
        } catch (RuntimeException e) {
            return new Anchor(-1, "", Instant.EPOCH, "", "unreadable anchor " + file.getFileName());
        }
    }
}
