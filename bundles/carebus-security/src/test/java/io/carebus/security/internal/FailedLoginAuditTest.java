package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailedLoginAuditTest {

    private final MutableClock clock = new MutableClock();
    private final List<FailedLoginAudit.Summary> records = new ArrayList<>();
    private final FailedLoginAudit audit = new FailedLoginAudit(clock, Duration.ofMinutes(1), 3, records::add);

    @Test
    void tenThousandFailuresFromOneAddressInAMinuteAreTwoRecordsWithTheirCount() {
        for (int i = 0; i < 10_000; i++) {
            audit.failed("admin", "/127.0.0.2:" + (1024 + i % 50000));
            audit.flush(false);
        }
        assertThat(records).hasSize(1);
        assertThat(records.get(0).count()).as("the first is recorded at once").isEqualTo(1);
        clock.advance(Duration.ofSeconds(59));
        audit.flush(false);
        assertThat(records).as("at most one per address per minute").hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        audit.flush(false);
        assertThat(records).hasSize(2);
        assertThat(records.get(1).count()).isEqualTo(9_999);
        assertThat(records.get(1).address()).isEqualTo("127.0.0.2");
        assertThat(records.get(1).accounts()).containsExactly("admin");
        assertThat(records.stream().mapToLong(FailedLoginAudit.Summary::count).sum()).isEqualTo(10_000);
    }

    @Test
    void eachAddressHasItsOwnMinute() {
        audit.failed("a", "10.0.0.1");
        audit.failed("b", "10.0.0.2");
        audit.failed("a", "10.0.0.1");
        assertThat(records).extracting(FailedLoginAudit.Summary::address).containsExactly("10.0.0.1", "10.0.0.2");
        clock.advance(Duration.ofMinutes(1));
        audit.flush(false);
        assertThat(records).hasSize(3);
        assertThat(records.get(2).count()).isEqualTo(1);
    }

    @Test
    void addressesBeyondTheCapAreCountedTogether() {
        for (int i = 0; i < 10; i++) {
            audit.failed("x", "10.0.0." + i);
        }
        assertThat(records).extracting(FailedLoginAudit.Summary::address)
                .containsExactly("10.0.0.0", "10.0.0.1", "10.0.0.2", FailedLoginAudit.OTHER_ADDRESSES);
        clock.advance(Duration.ofMinutes(1));
        audit.flush(false);
        assertThat(records.get(4).address()).isEqualTo(FailedLoginAudit.OTHER_ADDRESSES);
        assertThat(records.get(4).count()).isEqualTo(6);
    }

    @Test
    void shutdownRecordsWhatIsPending() {
        audit.failed("a", "10.0.0.1");
        audit.failed("a", "10.0.0.1");
        audit.flush(true);
        assertThat(records).hasSize(2);
        assertThat(records.get(1).count()).isEqualTo(1);
    }

    @Test
    void accountNamesAreCappedInNumberAndLength() {
        for (int i = 0; i < 20; i++) {
            audit.failed("n".repeat(500) + i, "10.0.0.1");
        }
        clock.advance(Duration.ofMinutes(1));
        audit.flush(false);
        assertThat(records.get(1).accounts()).hasSizeLessThanOrEqualTo(FailedLoginAudit.MAX_ACCOUNTS)
                .allSatisfy(a -> assertThat(a).hasSizeLessThanOrEqualTo(64));
    }
}
