package io.carebus.itests;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.fhir.internal.SmartKey;
import io.carebus.fhir.testing.EhrTestServer;
import io.carebus.fhir.testing.SmartKeys;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EHR of the FHIR integration test, in the Maven JVM (outside the container): a HAPI FHIR server with a SMART
 * token endpoint that trusts a freshly made engine key. Only {@code config()} touches this class, so the container
 * never loads it (nor Jetty or the test server).
 */
final class TestEhr {

    record Started(String baseUrl, String tokenUrl, Path keyStore) {
    }

    /** Lives as long as the Maven JVM that runs the container. */
    private static EhrTestServer server;

    private TestEhr() {
    }

    static synchronized Started start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("smart-ec.p12"));
        Path keyStore = SmartKeys.create(dir, "EC");
        SmartKey key = SmartKey.load(keyStore, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        if (server != null) {
            server.close();
        }
        server = new EhrTestServer(FhirContext.forR4());
        server.requireSmart(new JWKSet(key.publicJwk()), 300);
        server.allowAnonymousReads();
        return new Started(server.baseUrl(), server.tokenUrl(), keyStore);
    }
}
