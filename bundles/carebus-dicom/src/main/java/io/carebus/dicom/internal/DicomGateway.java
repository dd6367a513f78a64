package io.carebus.dicom.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.audit.AwaitedAuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.api.store.MessageStore;
import io.carebus.dicom.DicomArchive;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.internal.net.AssociationIntake;
import io.carebus.dicom.internal.net.ConnectionLimits;
import io.carebus.dicom.internal.net.ScpPolicy;
import io.carebus.dicom.internal.net.ScpSession;
import io.carebus.dicom.internal.net.Sessions;
import io.carebus.api.store.EngineDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLServerSocket;
import javax.sql.DataSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DICOM SCP: connections accepted and their A-ASSOCIATE-RQs read by {@link AssociationIntake} (plain) or an accept
 * thread (TLS, whose handshake needs a thread), within the caps of {@link ConnectionLimits}; associations on a pool of
 * at most {@code max.associations} threads; instances kept by {@link InstanceStore} before Success. Also the
 * {@link DicomArchive} over what it kept, and the "dicom" health indicator (listening, storage).
 */
@Component(service = {DicomArchive.class, HealthIndicator.class, DicomGateway.class}, immediate = true,
        configurationPid = "io.carebus.dicom")
@Designate(ocd = DicomConfig.class)
public class DicomGateway implements DicomArchive, HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(DicomGateway.class);

    /** The audit trail, waited for (bounded) while carebus-audit is updated: no Success without the record. */
    private final AwaitedAuditTrail auditTrail = new AwaitedAuditTrail();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindAuditTrail(AuditTrail trail) {
        auditTrail.bind(trail);
    }

    void unbindAuditTrail(AuditTrail trail) {
        auditTrail.unbind(trail);
    }

    private final JdbcDicomIndex index;
    private final JdbcForwardQueue forwardQueue;
    private final InstanceStore instances;
    private final ScpPolicy policy;
    private final ConnectionLimits limits;
    /** Never more busy threads than {@code max.associations}: a slot in {@link #limits} is taken before each task. */
    private final ThreadPoolExecutor sessions;
    private final AssociationIntake intake;
    private final ServerSocket tlsServer;
    private final AtomicLong storedCount = new AtomicLong();
    private final AtomicLong refusedAssociations = new AtomicLong();
    private final AtomicLong droppedConnections = new AtomicLong();
    private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(2));
    private final AtomicLong dropsSinceWarning = new AtomicLong();
    private volatile String listenProblem;

    @Activate
    public DicomGateway(DicomConfig config, @Reference MessageStore store, @Reference DicomDispatcher dispatcher,
                        @Reference EngineDatabase database) throws IOException {
        this(config, store, database, dispatcher::submit);
    }

    /** Told of each instance stored for processing: its message id and study. */
    interface Stored {
        void stored(long messageId, String studyUid);
    }

    /** @param onStored told of each instance stored for processing */
    DicomGateway(DicomConfig config, MessageStore store, EngineDatabase database, Stored onStored) throws IOException {
        // The engine's one database (etc/io.carebus.store.cfg): index and forward queue sit next to the messages.
        DataSource dataSource = database.dataSource();
        Path root = DicomStorage.root(config.storage_dir());
        this.index = new JdbcDicomIndex(dataSource, root, database.kind() == EngineDatabase.Kind.POSTGRESQL);
        this.forwardQueue = new JdbcForwardQueue(dataSource, Clock.systemUTC(),
                database.kind() == EngineDatabase.Kind.POSTGRESQL ? JdbcForwardQueue.SHARED_DATABASE_LEASE_MILLIS : 0);
        this.instances = new InstanceStore(root, store, index, config.min_free_mb() * 1024 * 1024,
                config.full_read_max_mb() * 1024 * 1024, Math.max(1, config.max_instance_mb()) * 1024 * 1024,
                null, Clock.systemUTC(), awaitingAudit(config), config.audit_required(), i -> {
                    storedCount.incrementAndGet();
                    onStored.stored(i.messageId(), i.studyInstanceUid());
                });
        reindex(store, root);
        this.policy = new ScpPolicy(config.ae_title().strip(), DicomDefaults.set(config.calling_ae_allowed()),
                DicomDefaults.set(config.sop_classes()), DicomDefaults.list(config.transfer_syntaxes()), config.max_pdu(),
                (int) TimeUnit.SECONDS.toMillis(Math.max(1, config.idle_timeout_seconds())),
                (int) TimeUnit.SECONDS.toMillis(Math.max(1, config.artim_timeout_seconds())));
        this.limits = new ConnectionLimits(config.max_associations(), config.max_associations_per_address());
        this.sessions = new ThreadPoolExecutor(limits.maxAssociations(), limits.maxAssociations(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "carebus-dicom-association");
                    t.setDaemon(true);
                    return t;
                });
        sessions.allowCoreThreadTimeOut(true);
        AssociationIntake plain = null;
        ServerSocket tls = null;
        if (config.enabled()) {
            try {
                InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(config.bind_address()), config.port());
                if (config.tls_enabled()) {
                    tls = serverSocket(config);
                    tls.bind(bind, 128);
                } else {
                    plain = new AssociationIntake(bind, limits, config.max_pending_associations(), policy.artimMillis(),
                            sessions, intakeSessions);
                }
                LOG.info("DICOM SCP {} listening on {}:{}{}", policy.aeTitle(), config.bind_address(), config.port(),
                        config.tls_enabled() ? " (TLS)" : "");
            } catch (IOException | RuntimeException e) {
                listenProblem = "DICOM SCP cannot listen on port " + config.port() + ": " + e.getMessage();
                LOG.error(listenProblem);
                if (tls != null) {
                    tls.close();
                }
                tls = null;
            }
        }
        this.intake = plain;
        this.tlsServer = tls;
        if (intake != null) {
            intake.start();
        }
        if (tlsServer != null) {
            Thread acceptor = new Thread(this::acceptTls, "carebus-dicom-scp");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    /**
     * The index row is written after the message row; a power cut between them (kill -9 cannot: both are in the OS's
     * hands by then) would leave an unprocessed instance out of the index. Its message says everything the row held.
     */
    private void reindex(MessageStore store, Path root) {
        for (long id : store.unfinished(InstanceStore.PROTOCOL)) {
            if (index.find(id).isEmpty()) {
                store.find(id).ifPresent(m -> {
                    try {
                        index.add(Descriptors.read(id, m.message().payload(), root, m.message().receivedAt()));
                        LOG.info("DICOM instance of message {} indexed again after an interrupted start", id);
                    } catch (IOException e) {
                        LOG.warn("DICOM message {} cannot be indexed: {}", id, e.getMessage());
                    }
                });
            }
        }
    }

    private static ServerSocket serverSocket(DicomConfig config) throws IOException {
        Path etc = Path.of(System.getProperty("karaf.etc", "etc"));
        String trust = config.tls_truststore().strip();
        SSLServerSocket socket = (SSLServerSocket) DicomTls.context(etc.resolve(config.tls_keystore().strip()),
                config.tls_keystore_password(), trust.isEmpty() ? null : etc.resolve(trust), config.tls_truststore_password())
                .getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        switch (config.tls_client_auth().strip().toUpperCase(Locale.ROOT)) {
            case "REQUIRE" -> socket.setNeedClientAuth(true);
            case "WANT" -> socket.setWantClientAuth(true);
            default -> { }
        }
        return socket;
    }

    /**
     * TLS: the caps are checked at accept (over them the socket is closed: an A-ASSOCIATE-RJ would need the
     * handshake first); the handshake and the A-ASSOCIATE-RQ then run on a session thread within ARTIM.
     */
    private void acceptTls() {
        while (!tlsServer.isClosed()) {
            try {
                Socket socket = tlsServer.accept();
                InetAddress address = socket.getInetAddress();
                if (!limits.admit(address)) {
                    socket.close();
                    intakeSessions.dropped(address.getHostAddress(), "more than " + limits.maxPerAddress()
                            + " connections from this address", false);
                    continue;
                }
                if (!limits.startAssociation()) {
                    limits.release(address);
                    socket.close();
                    intakeSessions.dropped(address.getHostAddress(), "more than " + limits.maxAssociations()
                            + " associations open", false);
                    continue;
                }
                try {
                    sessions.execute(() -> {
                        try {
                            intakeSessions.run(socket, null);
                        } catch (Exception e) {
                            LOG.error("DICOM association from {} failed", address.getHostAddress(), e);
                        } finally {
                            limits.endAssociation();
                            limits.release(address);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    limits.endAssociation();
                    limits.release(address);
                    socket.close();
                    return;
                }
            } catch (IOException e) {
                if (!tlsServer.isClosed()) {
                    LOG.warn("DICOM SCP accept failed: {}", e.getMessage());
                }
            } catch (Exception e) {
                LOG.error("DICOM SCP accept failed", e);
            }
        }
    }

    private final Sessions intakeSessions = new Sessions() {
        @Override
        public void run(Socket socket, byte[] associateRq) {
            new ScpSession(socket, policy, instances, events, associateRq).run();
        }

        @Override
        public void rejected(String callingAe, String calledAe, String remote, String reason) {
            events.refused(callingAe, calledAe, remote, reason);
        }

        @Override
        public void dropped(String remote, String why, boolean violation) {
            droppedConnections.incrementAndGet();
            if (violation) {
                LOG.warn("DICOM connection from {} closed: {}", remote, why);
                auditFailure("dicom:?", remote, "DICOM connection closed: " + why);
                return;
            }
            // A flood closes thousands of these: one line a minute says how many.
            LOG.debug("DICOM connection from {} closed: {}", remote, why);
            dropsSinceWarning.incrementAndGet();
            long now = System.nanoTime();
            long last = lastDropWarning.get();
            if (now - last > TimeUnit.MINUTES.toNanos(1) && lastDropWarning.compareAndSet(last, now)) {
                LOG.warn("DICOM SCP closed {} connection(s) at accept or before their A-ASSOCIATE-RQ in the last minute, "
                        + "the latest from {}: {}", dropsSinceWarning.getAndSet(0), remote, why);
            }
        }
    };

    /**
     * The trail for an instance's record: the running one, else (with the record required) the one that binds within
     * {@code audit.wait.ms}. Without the requirement nothing waits.
     */
    private java.util.function.Supplier<AuditTrail> awaitingAudit(DicomConfig config) {
        if (!config.audit_required()) {
            return auditTrail::current;
        }
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, config.audit_wait_ms()));
        return () -> auditTrail.await(System.nanoTime() + waitNanos);
    }

    private void auditFailure(String who, String remote, String what) {
        AuditTrail trail = auditTrail.current();
        if (trail != null) {
            try {
                trail.append(new AuditRecord(java.time.Instant.now(), trail.nodeId(), who, remote, AuditAction.RECEIVE,
                        AuditRecord.Outcome.MINOR_FAILURE, List.of(), null, null, null, null, what));
            } catch (RuntimeException e) {
                LOG.error("DICOM: audit record not stored ({}): {}", what, e.getMessage());
            }
        }
    }

    private final ScpSession.Events events = new ScpSession.Events() {
        @Override
        public void refused(String callingAe, String calledAe, String remote, String reason) {
            refusedAssociations.incrementAndGet();
            LOG.warn("DICOM association from {} ({} -> {}) rejected: {}", remote, callingAe, calledAe, reason);
            auditFailure("dicom:" + callingAe, remote, "DICOM association rejected: " + reason);
        }

        @Override
        public void exceeded(String callingAe, String remote, String what) {
            LOG.warn("DICOM association from {} ({}) aborted: {}", remote, callingAe, what);
            auditFailure("dicom:" + callingAe, remote, "DICOM association aborted: " + what);
        }

        @Override
        public void closed(String callingAe, String remote, int stored, int failed, String how, long bytesRead) {
            if (failed > 0 || !"released".equals(how)) {
                LOG.info("DICOM association from {} ({}) {}: {} stored, {} failed, {} bytes read", remote, callingAe, how,
                        stored, failed, bytesRead);
            } else {
                LOG.debug("DICOM association from {} ({}) released: {} stored", remote, callingAe, stored);
            }
        }
    };

    InstanceStore instances() {
        return instances;
    }

    ScpPolicy policy() {
        return policy;
    }

    JdbcForwardQueue forwardQueue() {
        return forwardQueue;
    }

    /** The port actually bound (tests use 0), or -1. */
    public int port() {
        return intake != null ? intake.port() : tlsServer != null ? tlsServer.getLocalPort() : -1;
    }

    @Override
    public Optional<DicomInstance> instance(long messageId) {
        return index.find(messageId);
    }

    @Override
    public List<DicomInstance> study(String studyInstanceUid) {
        return index.study(studyInstanceUid);
    }

    @Override
    public String name() {
        return "dicom";
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        if (listenProblem != null) {
            problems.add(listenProblem);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("aeTitle", policy.aeTitle());
        details.put("port", port());
        details.put("openAssociations", limits.associations());
        details.put("negotiatingConnections", intake == null ? 0 : intake.pending());
        details.put("connectionsClosedEarly", droppedConnections.get());
        details.put("instancesStored", storedCount.get());
        details.put("associationsRejected", refusedAssociations.get());
        try {
            long free = java.nio.file.Files.getFileStore(instances.root()).getUsableSpace();
            details.put("storageFreeMb", free / (1024 * 1024));
        } catch (IOException e) {
            problems.add("DICOM storage not readable: " + e.getMessage());
        }
        return HealthReport.of(problems, details);
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        if (intake != null) {
            intake.close();
        }
        if (tlsServer != null) {
            tlsServer.close();
        }
        sessions.shutdown();
        if (!sessions.awaitTermination(10, TimeUnit.SECONDS)) {
            sessions.shutdownNow();
        }
        instances.close();
    }
}
