package io.carebus.dicom.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.internal.net.StoreService;
import io.carebus.store.DeferredSyncStore;
import io.carebus.api.store.StoreUnavailableException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps received instances, store before success: the data set streams into a {@code .part} file behind the file
 * meta information CareBus writes; it is checked (PixelMed reads it up to the pixel data, whose declared lengths must
 * end the file exactly, else PixelMed reads it whole; a data set it cannot read, or whose identity differs from the
 * C-STORE's, is refused), moved into {@code instances/<study>/<series>/}, forced to disk with its folder while it is
 * recorded in the message store, the DICOM index and the audit trail. Only once both are on disk is the answer
 * Success. Refused instances are kept in {@code rejected/} and stored as ERROR messages for reprocessing; the sender
 * gets the failure status. The DEBUG timing line names the phases: parse, force (naming, then file and folder forced,
 * overlapping the next three), store, index, audit (with the database's forced write), file (what the answer still
 * waited for the file after the database).
 */
final class InstanceStore implements StoreService {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceStore.class);
    static final String PROTOCOL = "DICOM";
    static final String LISTENER = "dicom";
    /** A UID is digits and dots, at most 64 characters: safe as a file name; anything else is refused before it is. */
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often (bytes of one instance) free space is asked again while it arrives: a statfs call, microseconds. */
    private static final long SPACE_CHECK_EVERY = 4L * 1024 * 1024;

    /** The storage's usable space now (bytes). */
    interface FreeSpace {
        long usable() throws IOException;
    }

    private final Path root;
    private final Path incoming;
    private final Path rejected;
    /** Looked up once: finding a path's file store reads the mount table, asking it for free space does not. */
    private final java.nio.file.FileStore incomingStore;
    private final MessageStore store;
    private final JdbcDicomIndex index;
    private final long minFreeBytes;
    private final long fullReadMaxBytes;
    private final long maxInstanceBytes;
    private final FreeSpace freeSpace;
    private final Clock clock;
    private final Supplier<AuditTrail> audit;
    private final boolean auditRequired;
    private final Consumer<DicomInstance> stored;
    /**
     * Forces instance files while the association thread records the instance in the database: the two forced writes
     * (file, database) overlap instead of following each other. Threads come and go with the associations.
     */
    private final java.util.concurrent.ExecutorService forcing = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "carebus-dicom-fsync");
                t.setDaemon(true);
                return t;
            });

    /**
     * @param root where instances are kept ({@code data/carebus/dicom})
     * @param fullReadMaxBytes instances up to this size are read back whole (pixel data included) before Success;
     *        larger ones up to their pixel data, so a multi-gigabyte cine loop is not held in memory
     * @param maxInstanceBytes a data set larger than this is refused (A700) and discarded as it arrives
     * @param stored told of each instance stored for processing (not duplicates)
     */
    InstanceStore(Path root, MessageStore store, JdbcDicomIndex index, long minFreeBytes, long fullReadMaxBytes,
                  long maxInstanceBytes, Clock clock, Supplier<AuditTrail> audit, Consumer<DicomInstance> stored) throws IOException {
        this(root, store, index, minFreeBytes, fullReadMaxBytes, maxInstanceBytes, null, clock, audit, false, stored);
    }

    /**
     * @param freeSpace the storage's usable space; null = the incoming folder's file store
     * @param audit the audit trail (it may wait a bounded time for one to return), or null when none runs
     * @param auditRequired no Success without an audit record: with no trail an instance is answered A700 ("stored but
     *        not audited"; the sender's resend is recognised as its duplicate)
     */
    InstanceStore(Path root, MessageStore store, JdbcDicomIndex index, long minFreeBytes, long fullReadMaxBytes,
                  long maxInstanceBytes, FreeSpace freeSpace, Clock clock, Supplier<AuditTrail> audit, boolean auditRequired,
                  Consumer<DicomInstance> stored) throws IOException {
        this.root = root;
        this.incoming = Files.createDirectories(root.resolve("incoming"));
        this.rejected = Files.createDirectories(root.resolve("rejected"));
        this.incomingStore = Files.getFileStore(incoming);
        this.freeSpace = freeSpace != null ? freeSpace : incomingStore::getUsableSpace;
        this.maxInstanceBytes = maxInstanceBytes;
        Files.createDirectories(root.resolve("instances"));
        this.store = store;
        this.index = index;
        this.minFreeBytes = minFreeBytes;
        this.fullReadMaxBytes = fullReadMaxBytes;
        this.clock = clock;
        this.audit = audit;
        this.auditRequired = auditRequired;
        this.stored = stored;
        removeLeftovers();
    }

    /** Part files are instances no sender got Success for (a crash mid-transfer): they will be sent again. */
    private void removeLeftovers() throws IOException {
        try (Stream<Path> parts = Files.list(incoming)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".part")).toList()) {
                Files.deleteIfExists(part);
            }
        }
    }

    Path root() {
        return root;
    }

    /** Called once no association runs any more. */
    void close() {
        forcing.shutdown();
    }

    @Override
    public Receiving begin(Request request) {
        try {
            long free = freeSpace.usable();
            if (free < minFreeBytes) {
                return refusedUpFront(request, new Status(Status.OUT_OF_RESOURCES, "storage full on the receiving gateway"),
                        "only " + free / (1024 * 1024) + " MB free, " + minFreeBytes / (1024 * 1024) + " MB required");
            }
            if (request.sopInstance() == null || !UID.matcher(request.sopInstance()).matches() || request.sopInstance().length() > 64) {
                return refusedUpFront(request, new Status(Status.CANNOT_UNDERSTAND, "invalid Affected SOP Instance UID"),
                        "invalid Affected SOP Instance UID");
            }
            return new Spooling(request);
        } catch (IOException e) {
            LOG.error("DICOM: cannot open a file for an incoming instance: {}", e.getMessage());
            return refusedUpFront(request, new Status(Status.OUT_OF_RESOURCES, "cannot write to the gateway's storage"),
                    e.getMessage());
        }
    }

    /** Consumes and discards the data set, then answers the status decided before it arrived. */
    private Receiving refusedUpFront(Request request, Status status, String reason) {
        return new Receiving() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                // discarded: the answer is already decided
            }

            @Override
            public Status finish() {
                LOG.warn("DICOM C-STORE from {} ({}) refused with {}: {}", request.callingAe(), request.remoteAddress(),
                        hex(status.code()), reason);
                audit(request, -1, null, status, reason);
                return status;
            }

            @Override
            public void abandon() {
                // nothing was kept
            }
        };
    }

    private final class Spooling implements Receiving {
        private final Request request;
        private final Path part;
        private final FileChannel channel;
        private final MessageDigest digest;
        private final OutputStream out;
        private IOException writeFailure;
        private long received;
        private long nextSpaceCheck = SPACE_CHECK_EVERY;
        /** Set when the instance is refused while it arrives: the rest is discarded, nothing is kept. */
        private Status refusal;
        private String refusalReason;

        /** When the data set began to arrive (for the DEBUG timing line). */
        private final long began = System.nanoTime();

        Spooling(Request request) throws IOException {
            this.request = request;
            this.part = incoming.resolve(UUID.randomUUID() + ".part");
            this.channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            this.out = new DigestOutputStream(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 64 * 1024),
                    digest);
            try {
                DicomOutputStream meta = new DicomOutputStream(out, "1.2.840.10008.1.2.1", null);
                new FileMetaInformation(request.sopClass(), request.sopInstance(), request.transferSyntax(), request.callingAe())
                        .getAttributeList().write(meta);
                meta.flush();
            } catch (DicomException | IOException | RuntimeException e) {
                abandon();
                throw new IOException("cannot write file meta information: " + e.getMessage(), e);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            received += length;
            if (writeFailure != null || refusal != null) {
                return;
            }
            try {
                if (received > maxInstanceBytes) {
                    refuseWhileArriving(new Status(Status.OUT_OF_RESOURCES, "instance larger than the gateway accepts"),
                            "data set larger than " + maxInstanceBytes / (1024 * 1024) + " MB (max.instance.mb)");
                    return;
                }
                if (received >= nextSpaceCheck) {
                    nextSpaceCheck = received + SPACE_CHECK_EVERY;
                    long free = freeSpace.usable();
                    if (free < minFreeBytes) {
                        refuseWhileArriving(new Status(Status.OUT_OF_RESOURCES, "storage full on the receiving gateway"),
                                "only " + free / (1024 * 1024) + " MB free while receiving, " + minFreeBytes / (1024 * 1024)
                                        + " MB required");
                        return;
                    }
                }
                out.write(bytes, offset, length);
            } catch (IOException e) {
                // Keep reading the data set so the association stays in step; the status says what happened.
                writeFailure = e;
            }
        }

        /** The part file goes at once; the association reads on (discarding) to answer this status in step. */
        private void refuseWhileArriving(Status status, String reason) {
            refusal = status;
            refusalReason = reason;
            abandon();
        }

        @Override
        public Status finish() {
            if (refusal != null) {
                LOG.warn("DICOM C-STORE from {} ({}) refused with {}: {}", request.callingAe(), request.remoteAddress(),
                        hex(refusal.code()), refusalReason);
                audit(request, -1, null, refusal, refusalReason);
                return refusal;
            }
            long start = System.nanoTime();
            try {
                if (writeFailure == null) {
                    out.flush();
                }
            } catch (IOException e) {
                writeFailure = e;
            }
            if (writeFailure != null) {
                abandon();
                LOG.error("DICOM: could not write an instance from {}: {}", request.callingAe(), writeFailure.getMessage());
                Status status = new Status(Status.OUT_OF_RESOURCES, "cannot write to the gateway's storage");
                audit(request, -1, null, status, writeFailure.getMessage());
                return status;
            }
            String sha256 = HexFormat.of().formatHex(digest.digest());
            try {
                return keep(request, part, channel, sha256, began, start);
            } finally {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.warn("DICOM: closing an instance file: {}", e.getMessage());
                }
            }
        }

        @Override
        public void abandon() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // deleting it anyway
            }
            deleteQuietly(part);
        }
    }

    private record Identity(String study, String series, String sopClass, String sopInstance, String modality) {
    }

    /**
     * Checks the spooled data set and files it. The data set is checked from the page cache and given its name in its
     * folder before it is forced (file, then folder), so the name travels with the data in one journal commit where
     * the file system allows. That force runs on another thread while this one records the instance (store row,
     * index row, audit record, the database's forced write); Success waits for both. A power cut in between may leave
     * a file no row names (harmless), or rows whose file is missing or short: no sender was told either was stored,
     * and the dispatcher checks a resumed instance's file against its recorded size and SHA-256 before routing it.
     */
    private Status keep(Request request, Path part, FileChannel channel, String sha256, long began, long start) {
        Identity identity;
        try {
            identity = read(part);
        } catch (IOException | DicomException | RuntimeException e) {
            return refuse(request, part, channel, sha256, new Status(Status.CANNOT_UNDERSTAND, "data set cannot be parsed"),
                    "cannot parse the data set: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        if (!request.sopInstance().equals(identity.sopInstance()) || !request.sopClass().equals(identity.sopClass())) {
            return refuse(request, part, channel, sha256, new Status(Status.DATA_SET_MISMATCH, "SOP Class/Instance UID differ from the C-STORE's"),
                    "data set SOP class/instance " + identity.sopClass() + "/" + identity.sopInstance() + " differ from the C-STORE-RQ's "
                            + request.sopClass() + "/" + request.sopInstance());
        }
        if (!valid(identity.study()) || !valid(identity.series())) {
            return refuse(request, part, channel, sha256, new Status(Status.DATA_SET_MISMATCH, "missing or invalid Study/Series Instance UID"),
                    "missing or invalid Study or Series Instance UID");
        }
        long parsed = System.nanoTime();
        long size;
        Path target;
        java.util.concurrent.Future<Long> forced;
        try {
            size = channel.size();
            Path folder = root.resolve("instances").resolve(identity.study()).resolve(identity.series());
            createDurably(folder);
            target = folder.resolve(identity.sopInstance() + "." + sha256.substring(0, 12) + ".dcm");
            if (sameFileKept(target, size, sha256)) {
                // The same bytes again (a resend, or the same instance on two associations at once): the file already
                // there is kept; forcing it and its folder covers a copy not yet forced by whoever put it there.
                Files.delete(part);
                forced = forcing.submit(() -> {
                    try (FileChannel kept = FileChannel.open(target, StandardOpenOption.READ)) {
                        kept.force(true);
                    }
                    forceDirectory(folder);
                    return System.nanoTime();
                });
            } else if (linked(part, target)) {
                Files.delete(part);
                forced = forcing.submit(() -> {
                    channel.force(true);
                    forceDirectory(folder);
                    return System.nanoTime();
                });
            } else {
                // Something else has the name (a copy a crash cut short): ours replaces it only once on disk itself.
                channel.force(true);
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the DICOM folder must be on one file system: " + e.getMessage(), e);
                }
                forced = forcing.submit(() -> {
                    forceDirectory(folder);
                    return System.nanoTime();
                });
            }
        } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
            deleteQuietly(part);
            LOG.error("DICOM: could not file an instance: {}", e.getMessage());
            Status status = new Status(Status.OUT_OF_RESOURCES, "cannot write to the gateway's storage");
            audit(request, -1, sha256, status, e.getMessage());
            return status;
        }
        DicomInstance instance = new DicomInstance(-1, identity.study(), identity.series(), identity.sopInstance(), identity.sopClass(),
                request.transferSyntax(), identity.modality(), target, size, sha256, request.callingAe(), clock.instant());
        long named = System.nanoTime();
        long recorded;
        MessageStore.StoreResult result;
        // With a store that can defer its forced write, the row is only committed here; the audit record's forced
        // write right after covers it when both share the database (the default), so an instance costs one sync.
        DeferredSyncStore.Committed committed = null;
        try {
            InboundMessage message = new InboundMessage(LISTENER, request.remoteAddress(), PROTOCOL,
                    identity.modality().isEmpty() ? "DICOM" : identity.modality(), null, identity.sopInstance(),
                    request.callingAe(), instance.receivedAt(), Descriptors.write(instance, root));
            if (store instanceof DeferredSyncStore deferring) {
                committed = deferring.storeCommitted(message);
                result = committed.result();
            } else {
                result = store.store(message);
            }
            long indexed = result.duplicate() ? result.duplicateOf() : result.messageId();
            instance = withMessageId(instance, indexed);
            recorded = System.nanoTime();
            index.add(instance);
        } catch (StoreUnavailableException e) {
            // The file stays (another copy of it may be referenced); the sender retries on A700.
            awaitForced(forced);
            LOG.error("DICOM: could not record an instance from {}: {}", request.callingAe(), e.getMessage());
            Status status = new Status(Status.OUT_OF_RESOURCES, "message store unavailable");
            audit(request, -1, sha256, status, e.getMessage());
            return status;
        }
        long indexedAt = System.nanoTime();
        Status success = Status.success();
        boolean audited = audit(request, result.messageId(), sha256, success,
                result.duplicate() ? "duplicate of message " + result.duplicateOf()
                        // same calling AE and SOP Instance UID as an earlier instance, other bytes: kept and processed
                        : result.collision() ? "warning: " + MessageStore.StoreResult.collisionWarning(identity.sopInstance(),
                                result.collidesWith()) : null);
        if (committed != null) {
            try {
                committed.awaitDurable();
            } catch (StoreUnavailableException e) {
                // Committed but not confirmed on disk: no Success; the row resumes after a restart like any other.
                awaitForced(forced);
                LOG.error("DICOM: could not force message {} to disk: {}", result.messageId(), e.getMessage());
                return new Status(Status.OUT_OF_RESOURCES, "message store unavailable");
            }
        }
        long durableAt = System.nanoTime();
        // The rows may be on disk before the file: after a power cut between the two, the unprocessed message names a
        // file that is missing or differs from its SHA-256, which the dispatcher checks before it routes a resumed
        // message (it marks it ERROR, so the sender's resend, which never got Success, counts as new).
        long filed = awaitForced(forced);
        if (filed < 0) {
            LOG.error("DICOM: could not force the file of message {} to disk", result.messageId());
            if (!result.duplicate()) {
                store.complete(List.of(new io.carebus.api.store.Completion(result.messageId(), io.carebus.api.store.MessageStatus.ERROR,
                        "the instance file could not be forced to disk; the sender was told to resend", null, null)));
            }
            Status status = new Status(Status.OUT_OF_RESOURCES, "cannot write to the gateway's storage");
            audit(request, result.messageId(), sha256, status, "the instance file could not be forced to disk");
            return status;
        }
        // Processing starts once the answer is decided, not during the audit commit: the routes' own writes would
        // otherwise compete with this instance's commit on the same database and disk, while the sender waits.
        if (!result.duplicate()) {
            stored.accept(instance);
        }
        if (!audited) {
            // As for HL7v2: no Success the audit trail does not show. Stored all the same; the resend is a known duplicate.
            return new Status(Status.OUT_OF_RESOURCES, "stored but not audited; please resend");
        }
        if (LOG.isDebugEnabled()) {
            long done = System.nanoTime();
            // force: naming and forcing file and folder, which overlaps store, index and audit (file: what the answer
            // still waited for the file after the database was done)
            LOG.debug("DICOM message {} received in {} µs, kept in {} µs: force {}, parse {}, file {}, store {}, index {}, audit {}",
                    result.messageId(), (start - began) / 1000, (done - start) / 1000, (filed - parsed) / 1000, (parsed - start) / 1000,
                    Math.max(0, filed - durableAt) / 1000, (recorded - named) / 1000, (indexedAt - recorded) / 1000, (durableAt - indexedAt) / 1000);
        }
        return success;
    }

    /** Waits for the file's forced write; when it finished, or -1 when it failed. */
    private static long awaitForced(java.util.concurrent.Future<Long> forced) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return forced.get();
                } catch (InterruptedException e) {
                    // The association must not answer before the file's fate is known.
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    LOG.error("DICOM: forcing an instance file failed: {}", String.valueOf(e.getCause()));
                    return -1;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static DicomInstance withMessageId(DicomInstance i, long id) {
        return new DicomInstance(id, i.studyInstanceUid(), i.seriesInstanceUid(), i.sopInstanceUid(), i.sopClassUid(),
                i.transferSyntaxUid(), i.modality(), i.file(), i.size(), i.sha256(), i.callingAe(), i.receivedAt());
    }

    private Identity read(Path file) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        long size = Files.size(file);
        boolean whole;
        long at;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 16 * 1024);
             DicomInputStream dicom = new DicomInputStream(in)) {
            at = list.read(dicom, TagFromName.PixelData);
            TransferSyntax syntax = dicom.getTransferSyntaxToReadDataSet();
            whole = at < size && syntax != null && syntax.isLittleEndian() && !syntax.isDeflated()
                    && PixelDataExtent.endsTheFile(file, at, syntax.isExplicitVR());
        }
        if (!whole) {
            if (size <= fullReadMaxBytes) {
                list = new AttributeList();
                // The check is of structure, not of the image: compressed pixel data stays as its fragments (PixelMed
                // has no JPEG-LS or JPEG 2000 decoder, and decoding would only cost time here).
                list.setDecompressPixelData(false);
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024);
                     DicomInputStream dicom = new DicomInputStream(in)) {
                    // PixelMed logs an element it cannot read and returns where it stopped: short of the end =
                    // truncated, or a length that claims more than follows.
                    long end = list.read(dicom);
                    if (end != size) {
                        throw new DicomException("the data set ends unreadably at byte " + end + " of " + size);
                    }
                }
            } else if (size - at < 12) {
                throw new DicomException("no room for pixel data after byte " + at + " of " + size);
            }
        }
        return new Identity(value(list, TagFromName.StudyInstanceUID), value(list, TagFromName.SeriesInstanceUID),
                value(list, TagFromName.SOPClassUID), value(list, TagFromName.SOPInstanceUID), value(list, TagFromName.Modality));
    }

    /**
     * Gives the spooled file its final name without ever replacing a file of that name (a hard link: atomic, and it
     * fails when the name exists); false when the name is taken, or links are not supported here.
     */
    private static boolean linked(Path part, Path target) throws IOException {
        try {
            Files.createLink(target, part);
            return true;
        } catch (java.nio.file.FileSystemException | UnsupportedOperationException e) {
            // FileAlreadyExistsException included; a file system without hard links gets the forced replace instead
            return false;
        }
    }

    /** Whether the target already holds exactly these bytes (size and SHA-256), e.g. from an earlier send. */
    private static boolean sameFileKept(Path target, long size, String sha256) throws IOException {
        return Files.isRegularFile(target) && Files.size(target) == size && sha256Of(target).equals(sha256);
    }

    /** The SHA-256 of a file's bytes, in lower-case hex (as instances are recorded). */
    static String sha256Of(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String value(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static boolean valid(String uid) {
        return uid != null && uid.length() <= 64 && UID.matcher(uid).matches();
    }

    private Status refuse(Request request, Path part, FileChannel channel, String sha256, Status status, String reason) {
        Path kept = rejected.resolve(part.getFileName().toString().replace(".part", ".dcm"));
        long id = -1;
        try {
            channel.force(true);
            Files.move(part, kept, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(rejected);
            ObjectNode node = JSON.createObjectNode();
            node.put("file", root.relativize(kept).toString());
            node.put("sha256", sha256);
            node.put("sopInstanceUid", request.sopInstance());
            node.put("sopClassUid", request.sopClass());
            node.put("transferSyntaxUid", request.transferSyntax());
            node.put("callingAe", request.callingAe());
            // No version id: a transfer syntax UID does not fit the store's version column; the descriptor has it.
            id = store.storeRejected(new InboundMessage(LISTENER, request.remoteAddress(), PROTOCOL, "DICOM", null,
                    request.sopInstance(), request.callingAe(), clock.instant(), JSON.writeValueAsBytes(node)),
                    "C-STORE " + hex(status.code()) + ": " + reason);
        } catch (IOException | StoreUnavailableException e) {
            LOG.error("DICOM: could not keep a refused instance: {}", e.getMessage());
            deleteQuietly(part);
        }
        LOG.warn("DICOM C-STORE from {} ({}) refused with {}: {}; kept as message {}", request.callingAe(), request.remoteAddress(),
                hex(status.code()), reason, id);
        audit(request, id, sha256, status, reason);
        return status;
    }

    /** Records the answer in the audit trail; false when it could not be recorded (or, when required, no trail runs). */
    private boolean audit(Request request, long messageId, String sha256, Status status, String detail) {
        AuditTrail trail = audit.get();
        if (trail == null) {
            if (auditRequired && status.ok()) {
                LOG.warn("DICOM: no audit trail running; C-STORE of message {} not confirmed (A700), the sender must resend",
                        messageId);
                return false;
            }
            return true;
        }
        try {
            trail.append(new AuditRecord(clock.instant(), trail.nodeId(), "dicom:" + request.callingAe(), request.remoteAddress(),
                    AuditAction.RECEIVE, status.ok() ? AuditRecord.Outcome.SUCCESS : AuditRecord.Outcome.MINOR_FAILURE,
                    messageId >= 0 ? List.of("message/" + messageId) : List.of(), null, null,
                    sha256 == null ? null : new io.carebus.api.Sha256(sha256), null,
                    "C-STORE " + hex(status.code()) + (detail == null ? "" : " (" + detail + ")")));
            return true;
        } catch (RuntimeException e) {
            LOG.error("DICOM: audit record for a C-STORE not stored: {}", e.getMessage());
            return false;
        }
    }

    static String hex(int status) {
        return String.format("%04X", status);
    }

    /** Creates the folder and every missing parent, forcing each new directory entry to disk. */
    private static void createDurably(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        createDurably(folder.getParent());
        try {
            Files.createDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        forceDirectory(folder.getParent());
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("DICOM: could not delete {}: {}", file, e.getMessage());
        }
    }
}
