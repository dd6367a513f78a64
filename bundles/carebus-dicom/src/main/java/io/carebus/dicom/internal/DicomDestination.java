package io.carebus.dicom.internal;

import io.carebus.dicom.DicomForwarding;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.internal.net.ScuAssociation;
import io.carebus.api.store.StoreUnavailableException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import javax.net.SocketFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import io.carebus.api.deid.Deidentification;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarding destination and its sender thread: takes what is due from the durable queue, up to a batch, and
 * sends it on one association (a presentation context per SOP class and transfer syntax, stored as received, no
 * transcoding). Success or warning: SENT. Out of resources (A7xx), a refused or broken association, a timeout: tried
 * again with exponential backoff. Any other failure status, or max attempts: DEAD, with the peer's status and comment.
 */
@Component(service = DicomDestination.class, configurationPid = "io.carebus.dicom.destination",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = DestinationConfig.class, factory = true)
public class DicomDestination {

    private static final Logger LOG = LoggerFactory.getLogger(DicomDestination.class);

    /** What a destination is, from its configuration. */
    record Settings(String name, String aeTitle, String host, int port, String callingAe, int batchSize, int maxAttempts,
                    long backoffInitialMillis, long backoffMaxMillis, int timeoutMillis, SocketFactory sockets, boolean deidentify) {
    }

    /** The engine's de-identification (bundle carebus-deid), for destinations that take de-identified copies only. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Deidentification deidentification;

    private final Settings settings;
    private final JdbcForwardQueue queue;
    private final LongFunction<Optional<DicomInstance>> instances;
    private final Object work = new Object();
    private final Thread sender;
    private volatile boolean running = true;
    private volatile String lastEcho = "not checked";

    @Activate
    public DicomDestination(DestinationConfig config, @Reference DicomGateway gateway) {
        this(settings(config), gateway.forwardQueue(), gateway::instance);
        if (config.echo_at_start()) {
            Thread echo = new Thread(this::echo, "carebus-dicom-echo-" + settings.name());
            echo.setDaemon(true);
            echo.start();
        }
    }

    DicomDestination(Settings settings, JdbcForwardQueue queue, LongFunction<Optional<DicomInstance>> instances) {
        this.settings = settings;
        this.queue = queue;
        this.instances = instances;
        this.sender = new Thread(this::run, "carebus-dicom-forward-" + settings.name());
        sender.setDaemon(true);
        sender.start();
    }

    private static Settings settings(DestinationConfig c) {
        SocketFactory sockets = SocketFactory.getDefault();
        if (c.tls_enabled()) {
            Path etc = Path.of(System.getProperty("karaf.etc", "etc"));
            String keys = c.tls_keystore().strip();
            String trust = c.tls_truststore().strip();
            sockets = DicomTls.context(keys.isEmpty() ? null : etc.resolve(keys), c.tls_keystore_password(),
                    trust.isEmpty() ? null : etc.resolve(trust), c.tls_truststore_password()).getSocketFactory();
        }
        return new Settings(c.name().strip(), c.ae_title().strip(), c.host().strip(), c.port(), c.calling_ae_title().strip(),
                Math.max(1, c.batch_size()), Math.max(1, c.max_attempts()), TimeUnit.SECONDS.toMillis(Math.max(1, c.backoff_initial_seconds())),
                TimeUnit.SECONDS.toMillis(Math.max(1, c.backoff_max_seconds())), (int) TimeUnit.SECONDS.toMillis(Math.max(1, c.timeout_seconds())),
                sockets, c.deidentify());
    }

    String name() {
        return settings.name();
    }

    DicomForwarding.Destination describe() {
        return new DicomForwarding.Destination(settings.name(), settings.aeTitle(), settings.host(), settings.port(), lastEcho);
    }

    /** Something was queued: look now rather than at the next poll. */
    void wake() {
        synchronized (work) {
            work.notifyAll();
        }
    }

    DicomForwarding.EchoResult echo() {
        long start = System.nanoTime();
        DicomForwarding.EchoResult result;
        try (ScuAssociation association = ScuAssociation.open(settings.sockets(), settings.host(), settings.port(), settings.callingAe(),
                settings.aeTitle(), List.of(), settings.timeoutMillis())) {
            int status = association.echo();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            result = new DicomForwarding.EchoResult(status == 0, millis, status == 0 ? "C-ECHO success" : "C-ECHO status "
                    + InstanceStore.hex(status));
        } catch (IOException | RuntimeException e) {
            result = new DicomForwarding.EchoResult(false, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), e.getMessage());
        }
        lastEcho = (result.ok() ? "OK" : "FAILED") + " at " + java.time.Instant.now() + ": " + result.detail();
        if (result.ok()) {
            LOG.info("DICOM destination {} ({}@{}:{}) answers C-ECHO in {} ms", settings.name(), settings.aeTitle(), settings.host(),
                    settings.port(), result.millis());
        } else {
            LOG.warn("DICOM destination {} ({}@{}:{}) does not answer C-ECHO: {}", settings.name(), settings.aeTitle(),
                    settings.host(), settings.port(), result.detail());
        }
        return result;
    }

    private void run() {
        while (running) {
            try {
                List<JdbcForwardQueue.Entry> due = queue.due(settings.name(), settings.batchSize());
                if (due.isEmpty()) {
                    synchronized (work) {
                        work.wait(1000);
                    }
                    continue;
                }
                send(due);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("DICOM forwarding to {} paused: {}", settings.name(), e.getMessage());
                sleep(5000);
            } catch (RuntimeException e) {
                LOG.error("DICOM forwarding to {} failed", settings.name(), e);
                sleep(5000);
            }
        }
    }

    /** What is sent for one queue entry: the kept instance, or its de-identified copy (other UIDs, same classes). */
    private record Item(JdbcForwardQueue.Entry entry, DicomInstance instance, byte[] copy, String sopInstance) {
    }

    private void send(List<JdbcForwardQueue.Entry> due) {
        List<Item> items = new ArrayList<>();
        Set<String> pairs = new LinkedHashSet<>();
        for (JdbcForwardQueue.Entry entry : due) {
            Optional<DicomInstance> instance = instances.apply(entry.messageId());
            if (instance.isEmpty() || !Files.isReadable(instance.get().file())) {
                queue.dead(entry.id(), null, "the instance of message " + entry.messageId() + " is not kept here");
                continue;
            }
            if (settings.deidentify()) {
                Deidentification deid = deidentification;
                if (deid == null) {
                    again(entry, null, "de-identification (bundle carebus-deid) is not running");
                    continue;
                }
                try {
                    byte[] copy = deid.deidentify("application/dicom", Files.readAllBytes(instance.get().file()), null,
                            "dicom-forward:" + settings.name());
                    items.add(new Item(entry, instance.get(), copy, DicomInstances.sopInstanceOf(copy)));
                } catch (IllegalArgumentException | IOException e) {
                    queue.dead(entry.id(), null, "not de-identified: " + e.getMessage());
                    continue;
                }
            } else {
                items.add(new Item(entry, instance.get(), null, instance.get().sopInstanceUid()));
            }
            pairs.add(instance.get().sopClassUid() + " " + instance.get().transferSyntaxUid());
        }
        if (items.isEmpty()) {
            return;
        }
        List<ScuAssociation.Offer> offers = pairs.stream().map(p -> p.split(" "))
                .map(p -> new ScuAssociation.Offer(p[0], List.of(p[1]))).toList();
        ScuAssociation association;
        try {
            association = ScuAssociation.open(settings.sockets(), settings.host(), settings.port(), settings.callingAe(), settings.aeTitle(),
                    offers, settings.timeoutMillis());
        } catch (IOException | RuntimeException e) {
            LOG.warn("DICOM destination {} unreachable ({}): {} instance(s) wait", settings.name(), e.getMessage(), items.size());
            items.forEach(i -> again(i.entry(), null, "association failed: " + e.getMessage()));
            return;
        }
        int sent = 0;
        int index = 0;
        try {
            for (; index < items.size(); index++) {
                Item item = items.get(index);
                DicomInstance instance = item.instance();
                if (association.contextFor(instance.sopClassUid(), instance.transferSyntaxUid()) < 0) {
                    queue.dead(item.entry().id(), null, "destination accepts no presentation context for " + instance.sopClassUid()
                            + " in " + instance.transferSyntaxUid());
                    continue;
                }
                ScuAssociation.Response response;
                try (InputStream file = item.copy() != null ? new java.io.ByteArrayInputStream(item.copy())
                        : new BufferedInputStream(Files.newInputStream(instance.file()), 256 * 1024)) {
                    response = association.store(instance.sopClassUid(), item.sopInstance(), instance.transferSyntaxUid(),
                            Part10.dataSet(file));
                }
                int status = response.status();
                if (status == 0 || (status & 0xF000) == 0xB000) {
                    queue.sent(item.entry().id(), status);
                    sent++;
                } else if ((status & 0xFF00) == 0xA700) {
                    again(item.entry(), status, "refused: out of resources" + comment(response));
                } else {
                    queue.dead(item.entry().id(), status, "C-STORE status " + InstanceStore.hex(status) + comment(response));
                    LOG.warn("DICOM destination {} refused message {} with {}{}", settings.name(), item.entry().messageId(),
                            InstanceStore.hex(status), comment(response));
                }
            }
            association.release();
        } catch (IOException e) {
            association.abort();
            LOG.warn("DICOM association to {} broke after {} sent: {}", settings.name(), sent, e.getMessage());
            for (; index < items.size(); index++) {
                again(items.get(index).entry(), null, "association broke: " + e.getMessage());
            }
        }
        LOG.debug("DICOM destination {}: {} of {} sent on one association", settings.name(), sent, items.size());
    }

    private static String comment(ScuAssociation.Response response) {
        return response.comment() == null || response.comment().isEmpty() ? "" : " (" + response.comment() + ")";
    }

    private void again(JdbcForwardQueue.Entry entry, Integer status, String error) {
        if (entry.attempts() + 1 >= settings.maxAttempts()) {
            queue.dead(entry.id(), status, error + "; gave up after " + (entry.attempts() + 1) + " attempts");
            return;
        }
        long delay = Math.min(settings.backoffMaxMillis(), settings.backoffInitialMillis() << Math.min(20, entry.attempts()));
        queue.retry(entry.id(), status, error, delay);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(TimeUnit.SECONDS.toMillis(10));
    }
}
