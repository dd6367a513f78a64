package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

    private static String basic(String s) {
        return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesUserAndPasswordWithColonsAndUtf8() {
        BasicCredentials c = BasicCredentials.parse(basic("admin:pa:ss\u00e9")).orElseThrow();
        assertThat(c.user()).isEqualTo("admin");
        assertThat(new String(c.password())).isEqualTo("pa:ss\u00e9");
        assertThat(BasicCredentials.parse("basic " + Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8))))
                .isPresent();
    }

    @Test
    void malformedHeadersAreNoCredentials() {
        assertThat(BasicCredentials.parse(null)).isEmpty();
        assertThat(BasicCredentials.parse("Bearer abc")).isEmpty();
        assertThat(BasicCredentials.parse("Basic !!!notbase64")).isEmpty();
        assertThat(BasicCredentials.parse(basic("nocolon"))).isEmpty();
        assertThat(BasicCredentials.parse(basic(":emptyuser"))).isEmpty();
    }
}
