package io.carebus.hl7.internal;

import io.carebus.api.audit.AwaitedAuditTrail;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.api.store.MessageStore;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mllp.MllpComponent;
import org.apache.camel.component.mllp.MllpConstants;
import org.apache.camel.component.mllp.MllpEndpoint;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HL7v2 MLLP listener (camel-mllp) per {@code etc/io.carebus.hl7-<name>.cfg}. Its route hands every frame to
 * {@link Hl7Intake}, which stores before it answers; camel-mllp's automatic acknowledgement is off, because it
 * would answer AA for an exchange whose failure was handled.
 */
// immediate: a listener must open its port at start. As a delayed component (the DS default for a service) it was
// activated only when something asked for its HealthIndicator — the first /api/health call — so an appliance nobody
// polled never listened (seen as Hl7IntakeIT waiting in vain for the port in some CI runs).
@Component(configurationPid = "io.carebus.hl7", configurationPolicy = ConfigurationPolicy.REQUIRE, service = HealthIndicator.class,
        immediate = true)
@Designate(ocd = ListenerConfig.class, factory = true)
public class MllpListener implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(MllpListener.class);

    private final CamelContext camel;
    private final Hl7Parsing parsing;
    private final HapiContext headerHapi;
    /** Since this listener started: accepted messages that had warnings, and the warnings (health details). */
    private final java.util.concurrent.atomic.AtomicLong messagesWithWarnings = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong warnings = new java.util.concurrent.atomic.AtomicLong();
    private final Hl7Intake intake;
    private final Hl7Dispatcher dispatcher;
    private final AckControlIds batchIds;

    /**
     * Dynamic: while carebus-audit is updated the trail leaves and returns, and the listener keeps running. With
     * audit.required (the default) a frame that finds none waits up to audit.wait.ms for it, then is answered 207.
     */
    private final AwaitedAuditTrail audit = new AwaitedAuditTrail();
    private final String routeId;
    private final String endpoint;
    private final boolean enabled;
    private final String listenerName;
    private final int maxBatchMessages;
    private String mllpUri;

    @Activate
    public MllpListener(ListenerConfig config, @Reference CamelContext camel, @Reference MessageStore store,
                        @Reference Hl7Dispatcher dispatcher) throws Exception {
        this.camel = camel;
        ValidationMode validation = ValidationMode.of(config.validation(), config.validate_datatypes());
        if (config.validate_datatypes() != null && !config.validate_datatypes().isBlank()) {
            LOG.warn("HL7v2 listener {}: validate.datatypes is deprecated, use validation = lenient | strict (now {})",
                    config.name(), validation.name().toLowerCase(java.util.Locale.ROOT));
        }
        ListenerRules rules = new ListenerRules(config.name(), versions(config), values(config.allowed_message_types()),
                values(config.required_msh_fields()).stream().map(Integer::valueOf).toList(), validation,
                Charset.forName(config.default_charset()));
        AckControlIds ackIds = new AckControlIds();
        this.batchIds = ackIds;
        this.parsing = new Hl7Parsing(validation, ackIds);
        this.headerHapi = new DefaultHapiContext(ValidationContextFactory.noValidation());
        headerHapi.getParserConfiguration().setIdGenerator(ackIds);
        this.intake = config.audit_required()
                ? new Hl7Intake(rules, store, parsing, headerHapi.getPipeParser(), Clock.systemUTC(), audit,
                        Duration.ofMillis(Math.max(0, config.audit_wait_ms())))
                : new Hl7Intake(rules, store, parsing, headerHapi.getPipeParser(), Clock.systemUTC(), audit::current);
        if (!config.audit_required()) {
            LOG.warn("HL7v2 listener {}: audit.required = false: without an audit trail, messages are acknowledged unaudited",
                    config.name());
        }
        this.dispatcher = dispatcher;
        this.listenerName = config.name();
        this.routeId = "carebus-hl7-" + config.name();
        this.enabled = config.enabled();
        this.maxBatchMessages = config.max_batch_messages();
        this.endpoint = (config.tls_enabled() ? "mllps://" : "mllp://") + config.host() + ":" + config.port();
        if (!enabled) {
            LOG.info("HL7v2 listener {} ({}) is disabled (enabled = false)", config.name(), endpoint);
            return;
        }
        dispatcher.applicationAckEndpoint(config.name(), config.application_ack_endpoint());
        String uri = "mllp://" + config.host() + ":" + config.port() + "?autoAck=false&hl7Headers=false&stringPayload=false&validatePayload=false"
                + "&requireEndOfData=true&tcpNoDelay=true&reuseAddress=true"
                // InOnly: when a message asks for no accept ACK, the route leaves the acknowledgement unset and
                // camel-mllp then sends nothing (as InOut it would call that an error); every other frame gets its ACK
                + "&exchangePattern=InOnly"
                + "&maxConcurrentConsumers=" + config.max_connections()
                // camel-mllp's default accept backlog of 5 drops connection attempts under a burst of connects (each
                // then waits for a SYN retry, 1 s and more): admission decides right after accept, so let them queue
                + "&backlog=" + Math.max(128, config.max_connections())
                + "&maxBufferSize=" + config.max_frame_bytes()
                + (config.idle_timeout_seconds() > 0 ? "&idleTimeout=" + config.idle_timeout_seconds() * 1000
                        // camel-mllp checks idleness only when a read times out, so reads must time out well before.
                        + "&receiveTimeout=" + Math.min(5000, config.idle_timeout_seconds() * 500) : "");
        // camel-mllp logs message content in its exceptions unless told not to: that would be PHI in the log.
        camel.getComponent("mllp", MllpComponent.class).setLogPhi(false);
        this.mllpUri = uri;
        // Camel parses and validates the options; the listener then runs on the guarded copy of that endpoint.
        MllpEndpoint parsed = camel.getEndpoint(uri, MllpEndpoint.class);
        camel.removeEndpoint(parsed);
        int maxFrame = config.max_frame_bytes();
        MllpConnections.Limits limits = new MllpConnections.Limits(config.max_connections(), config.max_connections_per_address(),
                Duration.ofSeconds(config.first_frame_timeout_seconds()), Duration.ofSeconds(config.frame_timeout_seconds()));
        MllpEndpoint mllp = new GuardedMllpEndpoint(uri, camel.getComponent("mllp", MllpComponent.class),
                parsed.getConfiguration(), (head, remote) -> intake.oversize(head, remote, maxFrame), config.name(), limits);
        // The endpoint copies its configuration, and MllpConfiguration.copy() (4.14) leaves out the buffer sizes:
        // without these two lines the frame limit would silently be 1 GiB.
        mllp.getConfiguration().setMaxBufferSize(parsed.getConfiguration().getMaxBufferSize());
        mllp.getConfiguration().setMinBufferSize(parsed.getConfiguration().getMinBufferSize());
        mllp.setHostname(parsed.getHostname());
        mllp.setPort(parsed.getPort());
        mllp.setCharsetName(parsed.getCharsetName());
        camel.addEndpoint(uri, mllp);
        if (config.tls_enabled()) {
            // Set on the endpoint object, not through the registry: each listener has its own key and trust stores.
            mllp.getConfiguration().setSslContextParameters(MllpTls.of(config, etcDirectory()).parameters());
        }
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(mllp).routeId(routeId).process(MllpListener.this::process);
            }
        });
        LOG.info("HL7v2 listener {} on {}", config.name(), endpoint);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindAudit")
    void bindAudit(AuditTrail trail) {
        audit.bind(trail);
    }

    void unbindAudit(AuditTrail trail) {
        audit.unbind(trail);
    }

    private void process(Exchange exchange) {
        byte[] frame = exchange.getMessage().getBody(byte[].class);
        String remote = exchange.getMessage().getHeader(MllpConstants.MLLP_REMOTE_ADDRESS, String.class);
        frame = frame == null ? new byte[0] : frame;
        Optional<Hl7Batch> batch = Hl7Batch.of(frame, maxBatchMessages);
        if (batch.isPresent() && batch.get().overCap()) {
            refuseBatch(exchange, batch.get(), frame, remote);
            return;
        }
        if (batch.isPresent() && !batch.get().messages().isEmpty()) {
            processBatch(exchange, batch.get(), remote);
            return;
        }
        // a batch without messages is refused by the intake like any frame without an MSH
        IntakeOutcome outcome = take(frame, remote, intake.auditDeadline());
        // camel-mllp 4.14 reads the 4th byte of the received frame before it sends an ACK (ArrayIndexOutOfBounds,
        // connection reset, no answer): for a shorter frame (stored and audited like any refusal) closing is the answer
        if (outcome.closeConnection() || frame.length < 4) {
            exchange.setProperty(MllpConstants.MLLP_CLOSE_CONNECTION_BEFORE_SEND, true);
        } else if (!outcome.unanswered()) {
            exchange.setProperty(MllpConstants.MLLP_ACKNOWLEDGEMENT, outcome.ack());
        }
        // unanswered: no acknowledgement property, and the endpoint is InOnly, so camel-mllp sends nothing
    }

    /**
     * Each message of the batch as if it came in its own frame, in order; the answer is the batch of their ACKs (a
     * store outage is an AE/CE 207 among them, as for a message alone). When the intake cannot answer one at all, the
     * connection closes without an answer: those before it are stored, and the sender's resend of the batch finds them
     * as duplicates.
     */
    private void processBatch(Exchange exchange, Hl7Batch batch, String remote) {
        List<byte[]> acks = new java.util.ArrayList<>();
        // one wait for a missing audit trail per frame, not per message of the batch
        long auditDeadline = intake.auditDeadline();
        for (byte[] message : batch.messages()) {
            IntakeOutcome outcome = take(message, remote, auditDeadline);
            if (outcome.closeConnection()) {
                exchange.setProperty(MllpConstants.MLLP_CLOSE_CONNECTION_BEFORE_SEND, true);
                return;
            }
            if (!outcome.unanswered()) {
                acks.add(outcome.ack());
            }
        }
        LOG.debug("HL7v2 listener {}: batch of {} messages answered", routeId, acks.size());
        exchange.setProperty(MllpConstants.MLLP_ACKNOWLEDGEMENT, batch.acknowledgement(acks, Clock.systemUTC(), batchIds::getID));
    }

    /**
     * A batch over {@code max.batch.messages}: none of its messages is taken; the answer is a batch acknowledgement
     * holding one AR that says why (BTS-2 says it too), and the frame is stored as ERROR (its first 64 KB).
     */
    private void refuseBatch(Exchange exchange, Hl7Batch batch, byte[] frame, String remote) {
        IntakeOutcome outcome;
        try {
            outcome = intake.refuseBatch(frame, remote, batch.messageCount(), maxBatchMessages);
        } catch (RuntimeException e) {
            LOG.error("HL7v2 listener {}: refusing a batch failed: {}", routeId, e.toString());
            outcome = IntakeOutcome.close(-1);
        }
        if (outcome.closeConnection()) {
            exchange.setProperty(MllpConstants.MLLP_CLOSE_CONNECTION_BEFORE_SEND, true);
            return;
        }
        exchange.setProperty(MllpConstants.MLLP_ACKNOWLEDGEMENT, batch.acknowledgement(List.of(outcome.ack()), Clock.systemUTC(),
                batchIds::getID, "batch refused: " + batch.messageCount() + " messages, at most " + maxBatchMessages + " accepted"));
    }

    private IntakeOutcome take(byte[] frame, String remote, long auditDeadline) {
        IntakeOutcome outcome;
        try {
            outcome = intake.handle(frame, remote, auditDeadline);
        } catch (RuntimeException e) {
            // Nothing can be said about this frame, so nothing positive is said: the connection is closed.
            LOG.error("HL7v2 listener {}: intake failed: {}", routeId, e.toString());
            outcome = IntakeOutcome.close(-1);
        }
        if (outcome.warnings() > 0 && outcome.messageId() >= 0) {
            messagesWithWarnings.incrementAndGet();
            warnings.addAndGet(outcome.warnings());
        }
        if (outcome.toProcess()) {
            try {
                dispatcher.submit(outcome.accepted() != null ? outcome.accepted()
                        : new Hl7Dispatcher.Pending(outcome.messageId(), null, null));
            } catch (RuntimeException e) {
                // The message is stored (RECEIVED) and its answer stands: the dispatcher resumes it at the next start,
                // or an engineer reprocesses it.
                LOG.error("HL7v2 listener {}: message {} stored but not queued for processing: {}", routeId,
                        outcome.messageId(), e.toString());
            }
        }
        return outcome;
    }

    private static Path etcDirectory() {
        String etc = System.getProperty("karaf.etc");
        return Path.of(etc != null ? etc : "etc");
    }

    @Override
    public String name() {
        return routeId;
    }

    @Override
    public HealthReport report() {
        if (!enabled) {
            return HealthReport.of(List.of(), Map.of("endpoint", endpoint, "routeStatus", "disabled",
                    "validation", parsing.mode().name().toLowerCase(java.util.Locale.ROOT)));
        }
        ServiceStatus status = camel.getRouteController().getRouteStatus(routeId);
        List<String> problems = status == ServiceStatus.Started ? List.of()
                : List.of("HL7v2 listener " + endpoint + " is " + status);
        // Warnings are no health problem: the messages were accepted. The counts show a sender that needs a word.
        CanonicalForm.WarningCounts mapping = dispatcher.mappingWarnings(listenerName);
        return HealthReport.of(problems, Map.of("endpoint", endpoint, "routeStatus", String.valueOf(status),
                "audited", audit.current() != null, "validation", parsing.mode().name().toLowerCase(java.util.Locale.ROOT),
                "messagesWithWarnings", messagesWithWarnings.get(), "warnings", warnings.get(),
                "messagesWithMappingWarnings", mapping.messagesWithWarnings(), "mappingWarnings", mapping.warnings()));
    }

    @Deactivate
    void deactivate() throws Exception {
        parsing.close();
        headerHapi.close();
        if (!enabled) {
            return;
        }
        dispatcher.forgetListener(listenerName);
        camel.getRouteController().stopRoute(routeId);
        camel.removeRoute(routeId);
        // The endpoint holds the TLS settings; a reconfigured listener must not find the old one in Camel's cache.
        camel.removeEndpoints(mllpUri);
        LOG.info("HL7v2 listener {} stopped", routeId);
    }

    private static Set<String> versions(ListenerConfig config) {
        Set<String> v = values(config.allowed_versions());
        return v.isEmpty() ? ListenerRules.ALL_VERSIONS : v;
    }

    /** A .cfg file gives "a, b" as one string; a .config file or the metatype UI gives an array. */
    static Set<String> values(String[] raw) {
        return Arrays.stream(raw).flatMap(v -> Stream.of(v.split(","))).map(String::strip).filter(v -> !v.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
