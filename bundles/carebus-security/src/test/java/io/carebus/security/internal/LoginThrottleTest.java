package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(
            new LoginThrottle.Settings(5, 20, Duration.ofMinutes(5), Duration.ofMinutes(10), 1000), clock);

    @Test
    void anAccountIsLockedAfterItsFailuresFromAnyAddressAndUnlockedAfterTheLockout() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0." + i);
        }
        assertThat(throttle.lockedFor("alice", "10.0.0.9")).isEmpty();
        throttle.failed("ALICE", "/10.0.0.5:4444");
        assertThat(throttle.lockedFor("alice", "10.0.0.9")).contains(Duration.ofMinutes(10));
        assertThat(throttle.lockedFor("bob", "10.0.0.9")).as("other accounts from other addresses").isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.lockedFor("alice", "10.0.0.9")).isEmpty();
    }

    @Test
    void anAddressIsLockedForEveryAccountAfterItsFailuresAcrossAccounts() {
        for (int i = 0; i < 20; i++) {
            throttle.failed("user" + i, "/127.0.0.2:" + (40000 + i));
        }
        assertThat(throttle.lockedFor("admin", "127.0.0.2")).isPresent();
        assertThat(throttle.lockedFor("admin", "127.0.0.1")).as("the legitimate address").isEmpty();
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        clock.advance(Duration.ofMinutes(6));
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.lockedFor("alice", "10.0.0.1")).isEmpty();
    }

    @Test
    void aSuccessResetsTheAccountButNotTheAddress() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        throttle.succeeded("alice");
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.lockedFor("alice", "10.0.0.2")).isEmpty();
        for (int i = 0; i < 15; i++) {
            throttle.failed("x" + i, "10.0.0.1");
        }
        assertThat(throttle.lockedFor("nobody", "10.0.0.1")).as("4 + 1 + 15 = 20 from the address").isPresent();
    }

    @Test
    void zeroTurnsALockoutKindOff() {
        LoginThrottle off = new LoginThrottle(new LoginThrottle.Settings(0, 3, Duration.ofMinutes(5), Duration.ofMinutes(1), 100), clock);
        for (int i = 0; i < 50; i++) {
            off.failed("alice", "10.0.0." + (i % 50));
        }
        assertThat(off.lockedFor("alice", "10.0.1.1")).isEmpty();
    }

    @Test
    void rotatingAccountNamesKeepsTheTablesBounded() {
        LoginThrottle small = new LoginThrottle(new LoginThrottle.Settings(3, 0, Duration.ofMinutes(5), Duration.ofMinutes(1), 100), clock);
        for (int i = 0; i < 3; i++) {
            small.failed("victim", "10.0.0.1");
        }
        for (int i = 0; i < 100_000; i++) {
            small.failed("name" + i, "10.0.0.1");
        }
        // The victim's lock was forgotten with the oldest entries: the cost of a bounded table, paid by the attacker's
        // address being locked by its own counter when that kind of lockout is on.
        assertThat(small.lockedFor("victim", "10.0.0.9")).isEmpty();
        assertThat(small.lockedFor("name99999", "10.0.0.9")).isEmpty();
    }

    @Test
    void clientAddressesAreComparedByHost() {
        assertThat(ClientAddresses.host("/127.0.0.2:51234")).isEqualTo("127.0.0.2");
        assertThat(ClientAddresses.host("[::1]:22")).isEqualTo("::1");
        assertThat(ClientAddresses.host("::1")).isEqualTo("::1");
        assertThat(ClientAddresses.host("10.1.2.3")).isEqualTo("10.1.2.3");
    }
}
