package io.carebus.dicom.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * STOW-RS request bodies: at most {@code stow.max.concurrent} handled at once, each copied to a file as it arrives
 * (never held in memory) and cut off once it passes {@code stow.max.mb} or the storage's free-space reserve. The
 * files are {@code .part} files in the incoming folder, so a crash leaves nothing the next start does not delete.
 */
final class StowSpool {

    /** The body passed {@code stow.max.mb}: answered 413. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** Free space fell under {@code min.free.mb} while the body arrived: answered 503. */
    static final class StorageFullException extends IOException {
        private static final long serialVersionUID = 1L;

        StorageFullException(String message) {
            super(message);
        }
    }

    private static final long SPACE_CHECK_EVERY = 4L * 1024 * 1024;

    private final Path folder;
    private final long maxBytes;
    private final long minFreeBytes;
    private final InstanceStore.FreeSpace freeSpace;
    private final Semaphore slots;

    StowSpool(Path folder, long maxBytes, int maxConcurrent, long minFreeBytes, InstanceStore.FreeSpace freeSpace) {
        this.folder = folder;
        this.maxBytes = maxBytes;
        this.minFreeBytes = minFreeBytes;
        this.freeSpace = freeSpace;
        this.slots = new Semaphore(Math.max(1, maxConcurrent));
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Takes one of the request slots; false when all are busy (the caller answers 503). */
    boolean tryEnter() {
        return slots.tryAcquire();
    }

    void leave() {
        slots.release();
    }

    /** Copies the body into a new file, which the caller deletes once done with it. */
    Path spool(InputStream body) throws IOException {
        Path file = folder.resolve(UUID.randomUUID() + ".stow.part");
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            long nextSpaceCheck = 0;
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new TooLargeException("request larger than " + maxBytes + " bytes");
                }
                if (total >= nextSpaceCheck) {
                    nextSpaceCheck = total + SPACE_CHECK_EVERY;
                    if (freeSpace.usable() < minFreeBytes) {
                        throw new StorageFullException("storage under its free-space reserve");
                    }
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }
}
