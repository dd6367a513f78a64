package io.carebus.itests;

import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.fhir.internal.SmartKey;
import io.carebus.fhir.testing.SmartKeys;
import io.carebus.testehr.TestEhrProcess;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EHR of the FHIR integration test: HAPI FHIR's JPA server on H2, its own process (started once per test run by
 * {@link TestEhrProcess}), behind its SMART token endpoint, trusting a freshly made engine key. Only {@code config()}
 * and the test's host-side checks touch this class, so the container never loads it.
 */
final class TestEhr {

    record Started(String baseUrl, String tokenUrl, Path keyStore, TestEhrProcess server) {
    }

    private TestEhr() {
    }

    static synchronized Started start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("smart-ec.p12"));
        Path keyStore = SmartKeys.create(dir, "EC");
        SmartKey key = SmartKey.load(keyStore, SmartKeys.PASSWORD.toCharArray(), SmartKeys.ALIAS, "");
        TestEhrProcess server = TestEhrProcess.shared();
        server.registerClient(new JWKSet(key.publicJwk()).toString(), 300);
        return new Started(server.baseUrl(), server.tokenUrl(), keyStore, server);
    }
}
