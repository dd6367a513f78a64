package io.carebus.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Secret files (keys, generated passwords) written so that a crash never leaves a partial one under its final name:
 * the content goes to a temporary file in the same folder, created owner-only ({@code rw-------}) before a byte is
 * written, is forced to disk, gets its final name by an atomic rename (or hard link), and the folder is forced too so
 * the new name survives a power cut. Leftover temporary files ({@code .<name>.<random>.tmp}) of an interrupted write are
 * never read and are removed by the next write of that file. One writer per file is assumed (a component's activation).
 */
public final class SecretFiles {

    /** Owner read/write only. */
    public static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private static final String TEMP_SUFFIX = ".tmp";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes the content of a secret file; may fail part-way (a failure leaves nothing under the final name). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private SecretFiles() {
    }

    /**
     * Writes {@code file} atomically and owner-only, replacing it if it exists: readers see the old content or the
     * new, never a part.
     */
    public static void write(Path file, String content) throws IOException {
        write(file, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** As {@link #write(Path, String)}, the content from a writer. */
    public static void write(Path file, Content content) throws IOException {
        put(file, content, true);
    }

    /**
     * Creates {@code file} atomically and owner-only unless it already exists: an existing file (a key already in use)
     * is never overwritten, even by a writer that started at the same time.
     *
     * @return true when this call created it, false when it existed
     */
    public static boolean createIfAbsent(Path file, String content) throws IOException {
        return createIfAbsent(file, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** As {@link #createIfAbsent(Path, String)}, the content from a writer. */
    public static boolean createIfAbsent(Path file, Content content) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        return put(file, content, false);
    }

    /**
     * The content of {@code file}, which is created first (atomically, owner-only) from {@code generate} when it does
     * not exist; an existing file is read as it is.
     */
    public static String readOrCreate(Path file, Supplier<String> generate) throws IOException {
        if (!Files.exists(file)) {
            createIfAbsent(file, generate.get());
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static boolean put(Path file, Content content, boolean replace) throws IOException {
        Objects.requireNonNull(content, "content");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        removeLeftovers(target);
        Path temp = dir.resolve(tempPrefix(target) + HexFormat.of().formatHex(randomBytes()) + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly(dir))) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            boolean placed;
            if (replace) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                placed = true;
            } else {
                placed = linkIfAbsent(temp, target);
            }
            forceDirectory(dir);
            return placed;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** link(2) fails if the name exists, atomically; where hard links are not supported, check and rename. */
    private static boolean linkIfAbsent(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(target)) {
                return false;
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /** Temporary files of an earlier, interrupted write of this file: never read, removed here. */
    private static void removeLeftovers(Path target) throws IOException {
        String prefix = tempPrefix(target);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(target.getParent(),
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(TEMP_SUFFIX))) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
        }
        return new FileAttribute<?>[0];
    }

    /** So the rename itself survives a power cut (POSIX; other systems cannot open a folder and need not). */
    private static void forceDirectory(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
