package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.ResultResources;
import io.carebus.fhir.testing.Configs;
import io.carebus.fhir.testing.FaultInjectingEhr;
import io.carebus.fhir.testing.JpaEhr;
import io.carebus.fhir.testing.MovableClock;
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
 * Delivery to an EHR behind a SMART token endpoint: exactly once through outages, token expiry and revocation,
 * 429/Retry-After, refusals (dead letters) and a resend after a lost answer. Exactly-once is judged by a real FHIR
 * server, HAPI FHIR's JPA server ({@link JpaEhr}), counting by its own search and version history; the faults it cannot
 * make (outages, 429/5xx, a non-R4 server, a 422) come from {@link FaultInjectingEhr}.
 */
class EhrDeliveryTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    Path dir;
    /** Identifiers unique to this test: the real EHR lives for the whole test run. */
    private final String run = java.util.UUID.randomUUID().toString().substring(0, 8);
    private final MovableClock clock = new MovableClock();
    private FaultInjectingEhr ehr;
    private JdbcOutbox outbox;
    private OutboxComponent component;
    private DataSource dataSource;
    private final List<EhrEndpoint> endpoints = new ArrayList<>();
    private final ResultResources results = ResultResources.forNode("test-node");

    @BeforeEach
    void setUp() throws Exception {
        ehr = new FaultInjectingEhr(FHIR, 0, null, clock::millis);
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
        return endpoint(ehr.baseUrl(), extra, Clock.systemUTC());
    }

    private EhrEndpoint endpoint(String baseUrl, Map<String, Object> extra, Clock engineClock) throws Exception {
        Map<String, Object> values = new HashMap<>(Map.of("base_url", baseUrl, "backoff_initial_seconds", 1,
                "backoff_max_seconds", 2, "timeout_seconds", 5, "max_attempts", 6));
        values.putAll(extra);
        EhrEndpoint endpoint = new EhrEndpoint(Configs.of(EhrConfig.class, values), "epic", component, engineClock, dir);
        endpoints.add(endpoint);
        return endpoint;
    }

    private Map<String, Object> smart(Path keyStore) {
        return smart(keyStore, ehr.tokenUrl());
    }

    private Map<String, Object> smart(Path keyStore, String tokenUrl) {
        return Map.of("auth", "smart", "smart_token_url", tokenUrl, "smart_client_id", FaultInjectingEhr.CLIENT_ID,
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

    /**
     * The real EHR, shared by the whole test run (so counts are differences and identifiers carry {@link #run}), with
     * the key in this key store registered before the engine first asks for a token.
     */
    private JpaEhr realEhr(Path keyStore, long tokenLifetimeSeconds) throws Exception {
        JpaEhr real = JpaEhr.shared(FHIR);
        SmartKey key = SmartKey.load(keyStore, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        real.server().registerClient(new JWKSet(key.publicJwk()).toString(), tokenLifetimeSeconds);
        return real;
    }

    /** At the real EHR: exactly one resource with this engine identifier, at version 1 (never written twice). */
    private void storedOnce(JpaEhr real, String value) {
        List<Resource> found = real.byIdentifier("Observation", results.identifierSystem(), value);
        assertThat(found).as("Observations with identifier %s", value).hasSize(1);
        assertThat(real.history("Observation", found.get(0).getIdElement().getIdPart())).as("versions of %s", value).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC"})
    void smartBackendServicesDeliverEachResultOnceWithOneToken(String keyType) throws Exception {
        Path keys = SmartKeys.create(dir, keyType);
        JpaEhr real = realEhr(keys, 300);
        EhrEndpoint endpoint = endpoint(real.baseUrl(), smart(keys, real.tokenUrl()), Clock.systemUTC());
        int tokensBefore = real.server().tokensIssued();
        int refusalsBefore = real.server().tokenRefusals().size();
        assertThat(endpoint.smartKey().orElseThrow().algorithm().getName()).isEqualTo("RSA".equals(keyType) ? "RS384" : "ES384");
        Instant start = Instant.now().minusMillis(1);
        for (int i = 0; i < 10; i++) {
            enqueue(observation(run + "-p" + i, 60 + i), run + "-obs-" + i);
        }
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 10, Duration.ofSeconds(60), "10 delivered");
        // Counted by the server's own history: ten versions written since the start, one per result, each version 1.
        List<Resource> written = real.historySince("Observation", start);
        assertThat(written).hasSize(10);
        assertThat(written).allSatisfy(r -> assertThat(r.getMeta().getVersionId()).isEqualTo("1"));
        for (int i = 0; i < 10; i++) {
            storedOnce(real, run + "-obs-" + i);
        }
        assertThat(real.server().tokensIssued() - tokensBefore).isEqualTo(1);
        assertThat(real.server().tokenRefusals()).hasSize(refusalsBefore);
        // The JWKS the engine publishes holds exactly the key the EHR verified with.
        JWKSet published = JWKSet.parse(JwksServlet.jwks(List.of(endpoint)));
        assertThat(published.getKeys()).hasSize(1);
        assertThat(published.getKeys().get(0).getKeyID()).isEqualTo(endpoint.smartKey().orElseThrow().kid());
        assertThat(published.getKeys().get(0).isPrivate()).isFalse();
        System.out.printf("SMART %s token round trip: %d us%n", keyType, endpoint.lastTokenMicros());
    }

    @Test
    void aRevokedTokenGets401AndTheEngineDropsItFetchesANewOneAndDeliversOnce() throws Exception {
        Path keys = SmartKeys.create(dir, "EC");
        JpaEhr real = realEhr(keys, 300);
        EhrEndpoint endpoint = endpoint(real.baseUrl(), smart(keys, real.tokenUrl()), Clock.systemUTC());
        int tokensBefore = real.server().tokensIssued();
        enqueue(observation(run + "-a", 70), run + "-before-revoke");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(30), "first delivered");
        // The EHR revokes every token: the cached one now gets 401.
        real.server().revokeTokens();
        long id = enqueue(observation(run + "-b", 71), run + "-after-revoke");
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED, Duration.ofSeconds(30), "delivered after 401");
        OutboxEntry after = outbox.find(id).orElseThrow();
        assertThat(after.attempts()).as("one 401, then the write with a new token").isEqualTo(2);
        assertThat(after.lastHttpStatus()).isIn(200, 201);
        assertThat(real.server().tokensIssued() - tokensBefore).isEqualTo(2);
        storedOnce(real, run + "-before-revoke");
        storedOnce(real, run + "-after-revoke");
    }

    @Test
    void tokenEndpointRefusesReplayedAndForeignAssertions() throws Exception {
        Path keys = SmartKeys.create(dir, "EC");
        SmartKey key = SmartKey.load(keys, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        SmartKey stranger = SmartKey.load(SmartKeys.create(java.nio.file.Files.createDirectories(dir.resolve("stranger")), "RSA"),
                SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        ehr.requireSmart(new JWKSet(key.publicJwk()), 300);
        HttpClient http = HttpClient.newHttpClient();
        SmartBackendAuth auth = new SmartBackendAuth(http, URI.create(ehr.tokenUrl()), FaultInjectingEhr.CLIENT_ID, "", key, "", Clock.systemUTC(),
                Duration.ofSeconds(5));
        String assertion = auth.assertion();
        assertThat(ehr.replay(assertion)).isEqualTo(200);
        assertThat(ehr.replay(assertion)).isEqualTo(400);
        assertThat(ehr.tokenRefusals).anyMatch(r -> r.contains("replayed"));
        SmartBackendAuth foreign = new SmartBackendAuth(http, URI.create(ehr.tokenUrl()), FaultInjectingEhr.CLIENT_ID, "", stranger, "",
                Clock.systemUTC(), Duration.ofSeconds(5));
        assertThat(ehr.replay(foreign.assertion())).isEqualTo(400);
        SmartBackendAuth wrongAudience = new SmartBackendAuth(http, URI.create(ehr.tokenUrl() + "?x"), FaultInjectingEhr.CLIENT_ID, "", key, "",
                Clock.systemUTC(), Duration.ofSeconds(5));
        assertThat(ehr.replay(wrongAudience.assertion())).isEqualTo(400);
        assertThat(ehr.tokenRefusals).anyMatch(r -> r.contains("unknown kid")).anyMatch(r -> r.contains("aud"));
    }

    @Test
    void anExpiringTokenIsRenewedBeforeTheEhrRefusesIt() throws Exception {
        Path keys = SmartKeys.create(dir, "RSA");
        // The engine and the token endpoint read one clock, which the test moves on past the token's 2 s lifetime.
        EhrEndpoint endpoint = endpoint(ehr.baseUrl(), smart(keys), clock);
        ehr.requireSmart(new JWKSet(endpoint.smartKey().orElseThrow().publicJwk()), 2);
        enqueue(observation("a", 70), "first");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(20), "first delivered");
        assertThat(ehr.tokensIssued.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(2_200));
        enqueue(observation("b", 71), "second");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 2, Duration.ofSeconds(20), "second delivered");
        assertThat(ehr.tokensIssued.get()).isEqualTo(2);
        // Renewed ahead of expiry: the EHR never had to answer 401.
        assertThat(ehr.unauthorized.get()).isZero();
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
        assertThat(ehr.writeCount("Observation")).isEqualTo(20);
        assertThat(ehr.stored("Observation")).hasSize(20);
        // Queued again (a route run twice): the outbox keeps the one entry, the EHR gets nothing new.
        long before = outbox.list(null, "epic", 100).size();
        enqueue(observation("p0", 80), "down-0");
        assertThat(outbox.list(null, "epic", 100)).hasSize((int) before);
    }

    @Test
    void anAnswerLostInACrashIsResentAndTheEhrKeepsOneCopy() throws Exception {
        Path keys = SmartKeys.create(dir, "EC");
        JpaEhr real = realEhr(keys, 300);
        EhrEndpoint endpoint = endpoint(real.baseUrl(), smart(keys, real.tokenUrl()), Clock.systemUTC());
        Instant start = Instant.now().minusMillis(1);
        long id = enqueue(observation(run + "-x", 90), run + "-lost-answer");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(30), "delivered");
        // The engine died after the EHR created it but before the outbox said so: the entry is PENDING again.
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("UPDATE fhir_outbox SET status = 'PENDING' WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED && outbox.find(id).orElseThrow().attempts() == 2,
                Duration.ofSeconds(30), "resent");
        assertThat(outbox.find(id).orElseThrow().lastHttpStatus()).isEqualTo(200);
        storedOnce(real, run + "-lost-answer");
        assertThat(real.historySince("Observation", start)).hasSize(1);
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

    /** At HAPI's JPA server, which answers a repeated search from its cache: the sender must not be fooled by that. */
    @Test
    void withoutConditionalCreateTheSenderSearchesByIdentifierFirst() throws Exception {
        Path keys = SmartKeys.create(dir, "EC");
        JpaEhr real = realEhr(keys, 300);
        Map<String, Object> config = new HashMap<>(smart(keys, real.tokenUrl()));
        config.put("write_mode", "search-then-create");
        EhrEndpoint endpoint = endpoint(real.baseUrl(), config, Clock.systemUTC());
        long id = enqueue(observation(run + "-s", 5), run + "-searched");
        endpoint.wake();
        await(() -> count(OutboxStatus.DELIVERED) == 1, Duration.ofSeconds(30), "delivered");
        try (var c = dataSource.getConnection(); var s = c.prepareStatement("UPDATE fhir_outbox SET status = 'PENDING' WHERE id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        }
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED
                && outbox.find(id).orElseThrow().attempts() == 2, Duration.ofSeconds(30), "resent");
        assertThat(outbox.find(id).orElseThrow().lastOutcome()).contains("found by identifier");
        storedOnce(real, run + "-searched");
    }

    @Test
    void anEhrThatKeepsFailingMakesTheEntryDeadAfterMaxAttempts() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of("max_attempts", 2));
        await(() -> endpoint.writable("Observation").orElse(false), Duration.ofSeconds(10), "capabilities read");
        ehr.failNext(100, 503, null);
        long id = enqueue(observation("m", 3), "max-attempts");
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DEAD, Duration.ofSeconds(20), "dead");
        OutboxEntry dead = outbox.find(id).orElseThrow();
        assertThat(dead.attempts()).isEqualTo(2);
        assertThat(dead.lastHttpStatus()).isEqualTo(503);
        assertThat(dead.lastOutcome()).contains("gave up after 2 attempts");
        assertThat(ehr.createCount("Observation")).isZero();
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() throws Exception {
        EhrEndpoint endpoint = endpoint(Map.of());
        await(() -> endpoint.writable("Observation").orElse(false), Duration.ofSeconds(10), "capabilities read");
        Instant until = Instant.now().plusSeconds(4);
        ehr.failNext(1, 429, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(until.atZone(java.time.ZoneOffset.UTC)));
        long id = enqueue(observation("h", 101), "http-date");
        endpoint.wake();
        await(() -> outbox.find(id).orElseThrow().attempts() == 1, Duration.ofSeconds(10), "first attempt");
        OutboxEntry after429 = outbox.find(id).orElseThrow();
        assertThat(after429.lastHttpStatus()).isEqualTo(429);
        // The date has whole seconds: the next attempt is no earlier than that second, far past the 1 s backoff.
        assertThat(after429.nextAttempt()).isAfterOrEqualTo(until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        await(() -> outbox.find(id).orElseThrow().status() == OutboxStatus.DELIVERED, Duration.ofSeconds(15), "delivered");
        assertThat(ehr.createCount("Observation")).isEqualTo(1);
    }

    @Test
    void aServerThatIsNotR4GetsNothing() throws Exception {
        ehr.claimFhirVersion("3.0.2");
        EhrEndpoint endpoint = endpoint(Map.of());
        long id = enqueue(observation("d", 4), "dstu3");
        endpoint.wake();
        await(() -> endpoint.report().problems().stream().anyMatch(p -> p.contains("not R4")), Duration.ofSeconds(10), "refused as not R4");
        assertThat(endpoint.report().problems()).anyMatch(p -> p.contains("3.0.2") && p.contains("not R4"));
        assertThat(outbox.find(id).orElseThrow().attempts()).isZero();
        assertThat(ehr.writeRequests.get()).isZero();
    }
}
