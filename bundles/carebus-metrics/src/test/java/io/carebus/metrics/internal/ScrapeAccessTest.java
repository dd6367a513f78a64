package io.carebus.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.metrics.internal.ScrapeAccess.Decision;
import io.carebus.metrics.internal.ScrapeAccess.Login;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** /metrics needs a CareBus login unless anonymous loopback scrapes are configured, and then only from loopback. */
class ScrapeAccessTest {

    /** A realm with one user per outcome. */
    private static Login realm(String user, char[] password) {
        if (!"secret".equals(new String(password))) {
            return Login.REJECTED;
        }
        return switch (user) {
            case "viewer" -> Login.CAREBUS_ROLE;
            case "karaf" -> Login.NO_CAREBUS_ROLE;
            default -> Login.REJECTED;
        };
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void byDefaultEveryScrapeLogsInEvenFromLoopback() {
        ScrapeAccess access = new ScrapeAccess(ScrapeAccessTest::realm, false);
        assertThat(access.decide("127.0.0.1", null)).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(access.decide("10.1.2.3", basic("viewer", "secret"))).isEqualTo(Decision.ALLOWED);
        assertThat(access.decide("10.1.2.3", basic("viewer", "wrong"))).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(access.decide("10.1.2.3", basic("karaf", "secret"))).isEqualTo(Decision.FORBIDDEN);
        assertThat(access.decide("10.1.2.3", "Basic !!!not-base64")).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(access.decide("10.1.2.3", "Bearer x")).isEqualTo(Decision.UNAUTHENTICATED);
    }

    @Test
    void anonymousLoopbackOpensLoopbackOnly() {
        ScrapeAccess access = new ScrapeAccess(ScrapeAccessTest::realm, true);
        assertThat(access.decide("127.0.0.1", null)).isEqualTo(Decision.ALLOWED);
        assertThat(access.decide("127.8.9.10", null)).isEqualTo(Decision.ALLOWED);
        assertThat(access.decide("0:0:0:0:0:0:0:1", null)).isEqualTo(Decision.ALLOWED);
        assertThat(access.decide("[::1]", null)).isEqualTo(Decision.ALLOWED);
        assertThat(access.decide("192.168.1.20", null)).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(access.decide("::ffff:10.0.0.1", null)).isEqualTo(Decision.UNAUTHENTICATED);
        // A name is never resolved: "localhost" as a remote address is not a literal and is refused.
        assertThat(access.decide("localhost", null)).isEqualTo(Decision.UNAUTHENTICATED);
        assertThat(access.decide(null, null)).isEqualTo(Decision.UNAUTHENTICATED);
        // Credentials sent from loopback are still checked.
        assertThat(access.decide("127.0.0.1", basic("viewer", "wrong"))).isEqualTo(Decision.UNAUTHENTICATED);
    }
}
