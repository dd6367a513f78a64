package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.security.Role;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

    @Test
    void theEndpointsThatWereAnonymousStayAnonymous() {
        assertThat(AccessPolicy.access("GET", "/api/.well-known/jwks.json").anonymous()).isTrue();
        assertThat(AccessPolicy.access("GET", "/fhir/metadata").anonymous()).isTrue();
        assertThat(AccessPolicy.access("GET", "/api/health").optional()).isTrue();
        assertThat(AccessPolicy.access("POST", "/fhir/metadata").anonymous()).isFalse();
        assertThat(AccessPolicy.access("GET", "/api/health/x").optional()).isFalse();
        assertThat(AccessPolicy.access("GET", "/api/healthz").optional()).isFalse();
    }

    @Test
    void theRoleChecksOfEveryEndpoint() {
        assertThat(AccessPolicy.access("GET", "/api/audit/verify").roles()).containsExactlyInAnyOrder(Role.AUDITOR, Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/api/models").roles()).containsExactly(Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/api/models/sepsis/1.0/serve").roles()).containsExactly(Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/api/models/sepsis/predict").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("GET", "/api/models").roles()).containsExactlyInAnyOrder(Role.values());
        assertThat(AccessPolicy.access("POST", "/api/messages/12/reprocess").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/api/outbox/3/retry").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/api/deid").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/fhir").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("POST", "/fhir/Observation").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("GET", "/fhir/RiskAssessment").roles()).containsExactlyInAnyOrder(Role.values());
        assertThat(AccessPolicy.access("POST", "/dicomweb/studies").roles()).containsExactlyInAnyOrder(Role.ENGINEER, Role.ADMIN);
        assertThat(AccessPolicy.access("GET", "/console/index.html").roles()).containsExactlyInAnyOrder(Role.values());
        assertThat(AccessPolicy.access("GET", "/api/messages").anonymous()).isFalse();
    }
}
