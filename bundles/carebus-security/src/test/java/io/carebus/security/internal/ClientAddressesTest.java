package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which peers count as "this machine" for {@code metrics.anonymous.loopback}, and the host part JAAS callers name. */
class ClientAddressesTest {

    @Test
    void onlyLiteralLoopbackAddressesAreLoopback() {
        assertThat(ClientAddresses.isLoopbackLiteral("127.0.0.1")).isTrue();
        assertThat(ClientAddresses.isLoopbackLiteral("127.8.9.10")).isTrue();
        assertThat(ClientAddresses.isLoopbackLiteral("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(ClientAddresses.isLoopbackLiteral("[::1]")).isTrue();
        assertThat(ClientAddresses.isLoopbackLiteral("192.168.1.20")).isFalse();
        assertThat(ClientAddresses.isLoopbackLiteral("::ffff:10.0.0.1")).isFalse();
        // a name is never looked up: "localhost" as a peer address is not a literal, so not loopback
        assertThat(ClientAddresses.isLoopbackLiteral("localhost")).isFalse();
        assertThat(ClientAddresses.isLoopbackLiteral("")).isFalse();
        assertThat(ClientAddresses.isLoopbackLiteral(null)).isFalse();
    }

    @Test
    void theHostPartOfWhatJaasCallersName() {
        assertThat(ClientAddresses.host("/127.0.0.2:51234")).isEqualTo("127.0.0.2");
        assertThat(ClientAddresses.host("[::1]:22")).isEqualTo("::1");
        assertThat(ClientAddresses.host("::1")).isEqualTo("::1");
        assertThat(ClientAddresses.host("127.0.0.2")).isEqualTo("127.0.0.2");
    }
}
