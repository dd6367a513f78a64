package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.api.outbox.OutboxStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured EHR ({@code etc/io.carebus.ehr-<name>.cfg}): its authentication, its client and the thread that
 * drains its outbox entries. Its health shows whether it can be written to and what waits; an unreachable EHR is
 * reported but does not mark the appliance DOWN (results wait safely in the outbox).
 */
@Component(service = {EhrEndpoint.class, HealthIndicator.class}, configurationPid = "io.carebus.ehr",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = EhrConfig.class, factory = true)
public class EhrEndpoint implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(EhrEndpoint.class);

    private final String name;
    private final OutboxComponent outbox;
    private final OutboxSender sender;
    private final SmartKey smartKey;
    private final SmartBackendAuth smart;

    @Activate
    public EhrEndpoint(EhrConfig config, Map<String, Object> properties, @Reference OutboxComponent outbox) throws Exception {
        this(config, nameOf(config, properties), outbox, Clock.systemUTC(),
                Path.of(System.getProperty("karaf.etc", "etc")));
    }

    EhrEndpoint(EhrConfig config, String name, OutboxComponent outbox, Clock clock, Path etc) throws Exception {
        this.name = name;
        this.outbox = outbox;
        Duration timeout = Duration.ofSeconds(Math.max(1, config.timeout_seconds()));
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        String authType = config.auth().strip().toLowerCase(Locale.ROOT);
        EhrAuth auth;
        switch (authType) {
            case "none", "" -> {
                auth = EhrAuth.none();
                smartKey = null;
                smart = null;
            }
            case "basic" -> {
                auth = EhrAuth.basic(config.username(), config.password());
                smartKey = null;
                smart = null;
            }
            case "smart" -> {
                require(config.smart_token_url(), "smart.token.url");
                require(config.smart_client_id(), "smart.client.id");
                require(config.smart_key_store(), "smart.key.store");
                smartKey = SmartKey.load(etc.resolve(config.smart_key_store()), config.smart_key_store_password().toCharArray(),
                        config.smart_key_alias(), config.smart_kid());
                smart = new SmartBackendAuth(http, URI.create(config.smart_token_url()), config.smart_client_id(), config.smart_scope(),
                        smartKey, config.smart_jku(), clock, timeout);
                auth = smart;
            }
            default -> throw new IllegalArgumentException("EHR " + name + ": auth must be none, basic or smart, not " + config.auth());
        }
        require(config.base_url(), "base.url");
        EhrClient client = new EhrClient(http, config.base_url().strip(), auth, FhirContext.forR4Cached(), clock, timeout);
        this.sender = new OutboxSender(name, outbox.outbox(), client, Capabilities.WriteMode.configured(config.write_mode()),
                config.max_attempts(), Duration.ofSeconds(Math.max(1, config.backoff_initial_seconds())),
                Duration.ofSeconds(Math.max(1, config.backoff_max_seconds())), config.batch(), clock).start();
        LOG.info("EHR {} at {} ({} authentication)", name, client.base(), authType.isEmpty() ? "no" : authType);
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }

    /** {@code name}, else the part of the cfg file name after {@code io.carebus.ehr-}. */
    static String nameOf(EhrConfig config, Map<String, Object> properties) {
        if (!config.name().isBlank()) {
            return config.name().strip();
        }
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            f = f.substring(f.lastIndexOf('/') + 1);
            if (f.startsWith("io.carebus.ehr-") && f.endsWith(".cfg")) {
                return f.substring("io.carebus.ehr-".length(), f.length() - ".cfg".length());
            }
        }
        return String.valueOf(properties.getOrDefault("service.pid", "ehr"));
    }

    public String ehrName() {
        return name;
    }

    void wake() {
        sender.wake();
    }

    /** Whether the EHR's CapabilityStatement says it takes writes of the type; empty until it was read. */
    Optional<Boolean> writable(String resourceType) {
        return sender.capabilities().map(c -> c.writable(resourceType));
    }

    Optional<SmartKey> smartKey() {
        return Optional.ofNullable(smartKey);
    }

    /** The last token round trip (microseconds), -1 before the first; SMART only. */
    long lastTokenMicros() {
        return smart == null ? -1 : smart.lastRoundTripMicros();
    }

    @Override
    public String name() {
        return "ehr-" + name;
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        String problem = sender.problem();
        boolean unreachable = problem != null && problem.contains("not reachable");
        if (problem != null && !unreachable) {
            problems.add(problem);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reachable", !unreachable && sender.lastFailure() == null);
        sender.capabilities().ifPresent(c -> details.put("fhirVersion", c.fhirVersion()));
        try {
            Map<OutboxStatus, Long> counts = outbox.outbox().counts(name);
            counts.forEach((status, n) -> details.put(status.name().toLowerCase(Locale.ROOT), n));
        } catch (RuntimeException e) {
            problems.add("outbox unreadable: " + e.getMessage());
        }
        if (sender.lastFailure() != null) {
            // Only the kind of failure: the health document is open to monitoring, the EHR's text may name a patient.
            details.put("lastFailure", sender.lastFailure().split(":")[0]);
        }
        if (smart != null) {
            details.put("tokensFetched", smart.tokensFetched());
        }
        return HealthReport.of(problems, details);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        sender.close();
    }
}
