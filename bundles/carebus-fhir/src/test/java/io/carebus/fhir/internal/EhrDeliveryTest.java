package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.ResultResources;
import io.carebus.fhir.testing.Configs;
import io.carebus.fhir.testing.EhrTestServer;
import io.carebus.fhir.testing.SmartKeys;
import io.carebus.store.StoreDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery to a real HAPI FHIR server behind a SMART token endpoint: exactly once through outages, token expiry,
 * 429/Retry-After, refusals (dead letters) and a resend after a lost answer.
 */
class EhrDeliveryTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    Path dir;
    private EhrTestServer ehr;
    private JdbcOutbox outbox;
    private OutboxComponent component;
    private DataSource dataSource;
    private final List<EhrEndpoint> endpoints = new ArrayList<>();
    private final ResultResources results = ResultResources.forNode("test-node");

    @BeforeEach
    void setUp() throws Exception {
        ehr = new EhrTestServer(FHIR);
        dataSource = database();
        outbox = new JdbcOutbox(dataSource, Clock.systemUTC());
        component = new OutboxComponent(outbox, results);
    }

    /** The engine database the outbox lives in: embedded H2 here, PostgreSQL in {@link PostgresEhrDeliveryTest}. */
    protected DataSource database() throws Exception {
        return StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (EhrEndpoint e : endpoints) {
            e.deactivate();
        }
        ehr.close();
    }

    private EhrEndpoint endpoint(Map<String, Object> extra) throws Exception {
        Map<String, Object> values = new HashMap<>(Map.of("base_url", ehr.baseUrl(), "backoff_initial_seconds", 1,
                "backoff_max_seconds", 2, "timeout_seconds", 5, "max_attempts", 6));
        values.putAll(extra);
        EhrEndpoint endpoint = new EhrEndpoint(Configs.of(EhrConfig.class, values), "epic", component, Clock.systemUTC(), dir);
        endpoints.add(endpoint);
        return endpoint;
    }

    private Map<String, Object> smart(Path keyStore) {
        return Map.of("auth", "smart", "smart_token_url", ehr.tokenUrl(), "smart_client_id", EhrTestServer.CLIENT_ID,
                "smart_scope", "system/Observation.write system/RiskAssessment.write", "smart_key_store", keyStore.getFileName().toString(),
                "smart_key_store_password", SmartKeys.PASSWORD);
    }

    private Observation observation(String patient, double value) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.setCode(new CodeableConcept().addCoding(new Coding("http://loinc.org", "8867-4", "Heart rate")));
        o.setSubject(new Reference("Patient/" + patient));
        o.setValue(new Quantity().setValue(value).setUnit("/min").setSystem("http://unitsofmeasure.org").setCode("/min"));
        return o;
    }

    private long enqueue(Resource resource, String value) {
        results.engineIdentifierOf(resource).ifPresentOrElse(i -> { }, () -> ResultResources.stamp(resource, results.engineIdentifier(value)));
        String id = results.engineIdentifierOf(resource).orElseThrow().getValue();
        return outbox.enqueue(new JdbcOutbox.Item("epic", resource.fhirType(), results.identifierSystem(), id,
                OutboxStep.subject(resource), OutboxStep.code(resource), null,
                FHIR.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8)), false);
    }

    private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private long count(OutboxStatus status) {
        return outbox.list(status, "epic", 10_000).size();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC"})
    void smartBackendServicesDeliverEachResultOnceWithOneToken(String keyType) throws Exception {
        Path keys = SmartKeys.create(dir, keyType);
        EhrEndpoint endpoint = endpoint(smart(keys));
        ehr.requireSmart(new JWKSet(endpoint.smartKey().orElseThrow().publicJwk()), 300);
        assertThat(endpoint.smartKey().orElseThrow().algorithm().getName()).isEqualTo("RSA".equals(keyType) ? "RS384" : "ES384");
        for (int i = 0; i < 10; i++) {
            enqueue(observation("p" + i, 60 + i), "obs-" + i);
        }
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 10, Duration.ofSeconds(30), "10 delivered");
        assertThat(ehr.createCount("Observation")).isEqualTo(10);
        assertThat(ehr.tokensIssued.get()).isEqualTo(1);
        assertThat(ehr.tokenRefusals).isEmpty();
        assertThat(ehr.stored("Observation")).allSatisfy(r -> assertThat(((Observation) r).getIdentifier())
                .anyMatch(i -> results.identifierSystem().equals(i.getSystem()) && i.getValue().startsWith("obs-")));
        // The JWKS the engine publishes holds exactly the key the EHR verified with.
        JWKSet published = JWKSet.parse(JwksServlet.jwks(List.of(endpoint)));
        assertThat(published.getKeys()).hasSize(1);
        assertThat(published.getKeys().get(0).getKeyID()).isEqualTo(endpoint.smartKey().orElseThrow().kid());
        assertThat(published.getKeys().get(0).isPrivate()).isFalse();
        System.out.printf("SMART %s token round trip: %d us%n", keyType, endpoint.lastTokenMicros());
    }

    @Test
    void tokenEndpointRefusesReplayedAndForeignAssertions() throws Exception {
        Path keys = SmartKeys.create(dir, "EC");
        SmartKey key = SmartKey.load(keys, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        SmartKey stranger = SmartKey.load(SmartKeys.create(java.nio.file.Files.createDirectories(dir.resolve("stranger")), "RSA"),
                SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        ehr.requireSmart(new JWKSet(key.publicJwk()), 300);
        HttpClient http = HttpClient.newHttpClient();
        SmartBackendAuth auth = new SmartBackendAuth(http, URI.create(ehr.tokenUrl()), EhrTestServer.CLIENT_ID, "", key, "", Clock.systemUTC(),
                Duration.ofSeconds(5));
        String assertion = auth.assertion();
        assertThat(ehr.replay(assertion)).isEqualTo(200);
        assertThat(ehr.replay(assertion)).isEqualTo(400);
        assertThat(ehr.tokenRefusals).anyMatch(r -> r.contains("replayed"));
        SmartBackendAuth foreign = new SmartBackendAuth(http, URI.create(ehr.tokenUrl()), EhrTestServer.CLIENT_ID, "", stranger, "",
                Clock.systemUTC(), Duration.ofSeconds(5));
        assertThat(ehr.replay(foreign.assertion())).isEqualTo(400);
        SmartBackendAuth wrongAudience = new SmartBackendAuth(http, URI.create(ehr.tokenUrl() + "?x"), EhrTestServer.CLIENT_ID, "", key, "",
                Clock.systemUTC(), Duration.ofSeconds(5));
        assertThat(ehr.replay(wrongAudience.assertion())).isEqualTo(400);
        assertThat(ehr.tokenRefusals).anyMatch(r -> r.contains("unknown kid")).anyMatch(r -> r.contains("aud"));
    }

    @Test
    void anExpiringTokenIsRenewedBeforeTheEhrRefusesIt() throws Exception {
        Path keys = SmartKeys.create(dir, "RSA");
        EhrEndpoint endpoint = endpoint(smart(keys));
        ehr.requireSmart(new JWKSet(endpoint.smartKey().orElseThrow().publicJwk()), 2);
        enqueue(observation("a", 70), "first");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(20), "first delivered");
        Thread.sleep(2_200);
        enqueue(observation("b", 71), "second");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 2, Duration.ofSeconds(20), "second delivered");
        assertThat(ehr.tokensIssued.get()).isEqualTo(2);
        // Renewed ahead of expiry: the EHR never had to answer 401.
        assertThat(outbox.list(OutboxStatus.DELIVERED, "epic", 10)).allSatisfy(e -> assertThat(e.attempts()).isEqualTo(1));
    }

    @Test
    void anEhrThatIsDownGetsEverythingOnceWhenItIsBack() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of("auth", "basic", "username", "u", "password", "p"));
        await(() -> endpoint.writable("Observation").orElse(false), Duration.ofSeconds(10), "capabilities read");
        ehr.stop();
        for (int i = 0; i < 20; i++) {
            enqueue(observation("p" + i, 80 + i), "down-" + i);
        }
        endpoint.wake();
        await(() -> outbox.list(OutboxStatus.PENDING, "epic", 100).stream().anyMatch(e -> e.attempts() >= 1), Duration.ofSeconds(10),
                "a failed attempt");
        assertThat(count(OutboxStatus.DELIVERED)).isZero();
        assertThat(endpoint.report().details()).containsEntry("reachable", false);
        ehr.restart();
        await(() -> count(OutboxStatus.DELIVERED) == 20, Duration.ofSeconds(30), "all 20 delivered");
        assertThat(ehr.createCount("Observation")).isEqualTo(20);
        assertThat(ehr.stored("Observation")).hasSize(20);
        // Queued again (a route run twice): the outbox keeps the one entry, the EHR gets nothing new.
        long before = outbox.list(null, "epic", 100).size();
        enqueue(observation("p0", 80), "down-0");
        assertThat(outbox.list(null, "epic", 100)).hasSize((int) before);
    }

    @Test
    void anAnswerLostInACrashIsResentAndTheEhrKeepsOneCopy() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of());
        long id = enqueue(observation("x", 90), "lost-answer");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(20), "delivered");
        // The engine died after the EHR created it but before the outbox said so: the entry is PENDING again.
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("UPDATE fhir_outbox SET status = 'PENDING' WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1 && ehr.writeRequests.get() >= 2, Duration.ofSeconds(20), "resent");
        assertThat(ehr.createCount("Observation")).isEqualTo(1);
        assertThat(outbox.find(id).orElseThrow().lastHttpStatus()).isEqualTo(200);
    }

    @Test
    void aRefusedResultIsADeadLetterWithTheEhrsOutcomeAndCanBeRetried() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of());
        Observation bad = observation("y", 1);
        bad.setCode(null);
        long id = enqueue(bad, "no-code");
        enqueue(observation("z", 2), "fine");
        endpoint.wake();
        await(() -> count(OutboxStatus.DEAD) == 1 && count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(20), "dead + delivered");
        OutboxEntry dead = outbox.find(id).orElseThrow();
        assertThat(dead.lastHttpStatus()).isEqualTo(422);
        assertThat(dead.lastOutcome()).contains("Observation.code");
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(component.retry(id, "tester")).isTrue();
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxStatus.PENDING);
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DEAD, Duration.ofSeconds(20), "dead again");
        // A delivered entry is never sent again by a retry request.
        long delivered = outbox.list(OutboxStatus.DELIVERED, "epic", 1).get(0).id();
        assertThat(component.retry(delivered, "tester")).isFalse();
    }

    @Test
    void tooManyRequestsWaitsAsLongAsRetryAfterSays() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of());
        await(() -> endpoint.writable("Observation").orElse(false), Duration.ofSeconds(10), "capabilities read");
        ehr.failNext(1, 429, "3");
        long id = enqueue(observation("r", 100), "throttled");
        Instant queued = Instant.now();
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().attempts() == 1, Duration.ofSeconds(10), "first attempt");
        OutboxEntry after429 = outbox.find(id).orElseThrow();
        assertThat(after429.lastHttpStatus()).isEqualTo(429);
        // Retry-After: 3 s, more than the 1 s backoff this endpoint would otherwise use.
        assertThat(Duration.between(queued, after429.nextAttempt())).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED, Duration.ofSeconds(15), "delivered");
        assertThat(Duration.between(queued, outbox.find(id).orElseThrow().done())).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        assertThat(ehr.createCount("Observation")).isEqualTo(1);
    }

    @Test
    void withoutConditionalCreateTheSenderSearchesByIdentifierFirst() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of("write_mode", "search-then-create"));
        long id = enqueue(observation("s", 5), "searched");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(20), "delivered");
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("UPDATE fhir_outbox SET status = 'PENDING' WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED
                && outbox.find(id).orElseThrow().lastOutcome().contains("found by identifier"), Duration.ofSeconds(20), "found");
        assertThat(ehr.createCount("Observation")).isEqualTo(1);
    }
}
