package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.ResultResources;
import io.carebus.fhir.testing.Configs;
import io.carebus.fhir.testing.FaultInjectingEhr;
import io.carebus.fhir.testing.SmartKeys;
import io.carebus.store.StoreDatabases;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * Lives in the FHIR bundle's internal package (outside OSGi) to drive the real outbox, sender and SMART client.
 * Prints: outbox delivery rate, direct-write rate (the peer) and their ratio; token round trip median and p95.
 */
public final class OutboxBench {

    private OutboxBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "2000");
        FhirContext fhir = FhirContext.forR4Cached();
        Path dir = Files.createTempDirectory("carebus-outbox-bench");
        Path keys = SmartKeys.create(dir, "EC");
        SmartKey key = SmartKey.load(keys, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        ResultResources results = ResultResources.forNode("bench");
        try (FaultInjectingEhr ehr = new FaultInjectingEhr(fhir)) {
            ehr.requireSmart(new JWKSet(key.publicJwk()), 3600);
            HttpClient http = HttpClient.newHttpClient();

            // Token round trip: a fresh assertion and token each time.
            SmartBackendAuth auth = new SmartBackendAuth(http, URI.create(ehr.tokenUrl()), FaultInjectingEhr.CLIENT_ID,
                    "system/Observation.write", key, "", Clock.systemUTC(), Duration.ofSeconds(10));
            long[] micros = new long[200];
            for (int i = 0; i < 50; i++) {
                auth.invalidate();
                auth.authorization();
            }
            for (int i = 0; i < micros.length; i++) {
                auth.invalidate();
                auth.authorization();
                micros[i] = auth.lastRoundTripMicros();
            }
            Arrays.sort(micros);
            String bearer = auth.authorization();

            // Peer: the same conditional creates straight to the server, one client, nothing stored first.
            for (int i = 0; i < 200; i++) {
                direct(http, ehr, bearer, observation(results, "warm-" + i), results, "warm-" + i);
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                direct(http, ehr, bearer, observation(results, "direct-" + i), results, "direct-" + i);
            }
            double directPerSecond = n / ((System.nanoTime() - start) / 1e9);

            // CareBus: enqueue durably, the sender drains.
            JdbcOutbox outbox = new JdbcOutbox(StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 8),
                    Clock.systemUTC());
            OutboxComponent component = new OutboxComponent(outbox, results);
            Files.copy(keys, dir.resolve("smart.p12"));
            EhrEndpoint endpoint = new EhrEndpoint(Configs.of(EhrConfig.class, Map.of("base_url", ehr.baseUrl(), "auth", "smart",
                    "smart_token_url", ehr.tokenUrl(), "smart_client_id", FaultInjectingEhr.CLIENT_ID, "smart_key_store", "smart.p12",
                    "smart_key_store_password", SmartKeys.PASSWORD, "batch", 200)), "bench", component, Clock.systemUTC(), dir);
            try {
                for (int i = 0; i < 200; i++) {
                    enqueue(outbox, fhir, results, "warm-outbox-" + i);
                }
                endpoint.wake();
                waitDelivered(outbox, 200);
                start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    enqueue(outbox, fhir, results, "outbox-" + i);
                    if (i % 100 == 0) {
                        endpoint.wake();
                    }
                }
                endpoint.wake();
                double enqueueSeconds = (System.nanoTime() - start) / 1e9;
                waitDelivered(outbox, 200 + n);
                double outboxPerSecond = n / ((System.nanoTime() - start) / 1e9);
                int expected = 200 + n + 200 + n;
                System.out.printf("results: %d Observations, H2 outbox, SMART ES384, conditional create, local HAPI FHIR server%n", n);
                System.out.printf("outbox (store, then send, then record):  %8.0f results/s  (enqueue alone %.0f/s)%n", outboxPerSecond,
                        n / enqueueSeconds);
                System.out.printf("direct (peer: same writes, no outbox):    %8.0f results/s%n", directPerSecond);
                System.out.printf("ratio outbox/direct:                      %8.2f%n", outboxPerSecond / directPerSecond);
                System.out.printf("token round trip (assertion + POST):       median %d us, p95 %d us%n", micros[micros.length / 2],
                        micros[(int) (micros.length * 0.95)]);
                System.out.printf("EHR holds %d Observations (expected %d: nothing lost, nothing doubled)%n",
                        ehr.createCount("Observation"), expected);
            } finally {
                endpoint.deactivate();
            }
        }
    }

    private static Observation observation(ResultResources results, String id) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.setCode(new CodeableConcept().addCoding(new Coding("http://loinc.org", "8867-4", "Heart rate")));
        o.setSubject(new Reference("Patient/bench"));
        o.setValue(new Quantity().setValue(72).setUnit("/min").setSystem("http://unitsofmeasure.org").setCode("/min"));
        o.addIdentifier(results.engineIdentifier(id));
        return o;
    }

    private static void enqueue(JdbcOutbox outbox, FhirContext fhir, ResultResources results, String id) {
        Observation o = observation(results, id);
        outbox.enqueue(new JdbcOutbox.Item("bench", "Observation", results.identifierSystem(), id, "Patient/bench", "http://loinc.org|8867-4",
                null, fhir.newJsonParser().encodeResourceToString(o).getBytes(StandardCharsets.UTF_8)), false);
    }

    private static void direct(HttpClient http, FaultInjectingEhr ehr, String bearer, Observation o, ResultResources results, String id)
            throws Exception {
        String body = FhirContext.forR4Cached().newJsonParser().encodeResourceToString(o);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ehr.baseUrl() + "/Observation"))
                .header("Authorization", bearer).header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=" + URLEncoder.encode(results.identifierSystem() + "|" + id, StandardCharsets.UTF_8))
                .header("Prefer", "return=minimal").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("direct write answered " + r.statusCode());
        }
    }

    private static void waitDelivered(JdbcOutbox outbox, int count) throws InterruptedException {
        while (outbox.counts("bench").getOrDefault(OutboxStatus.DELIVERED, 0L) < count) {
            Thread.sleep(5);
        }
    }
}
