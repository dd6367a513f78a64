package io.carebus.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Failed logins, audited in aggregate: at most one record per client address per {@code period}, carrying how many
 * failures it stands for, so an anonymous caller cannot fill the disk with audit records. The first failure from an
 * address is recorded at once (an operator sees an attack start); later ones are counted and recorded by
 * {@link #flush} once the period since that address's last record has passed.
 * <p>
 * Memory is bounded: at most {@code maxAddresses} addresses are counted one by one; failures from further addresses
 * are counted together under {@link #OTHER_ADDRESSES}. Each summary names at most {@link #MAX_ACCOUNTS} account names.
 */
public final class FailedLoginAudit {

    /** Where failures from addresses beyond the cap are counted. */
    public static final String OTHER_ADDRESSES = "*";
    static final int MAX_ACCOUNTS = 5;
    private static final int MAX_ACCOUNT_NAME = 64;

    /** {@code count} failed logins from {@code address} between {@code from} and {@code to}, trying {@code accounts}. */
    public record Summary(String address, long count, List<String> accounts, Instant from, Instant to) {
    }

    private static final class Pending {
        long count;
        Instant first;
        Instant last;
        Instant lastRecorded;
        final Set<String> accounts = new LinkedHashSet<>();
    }

    private final Clock clock;
    private final Duration period;
    private final int maxAddresses;
    private final Consumer<Summary> sink;
    private final Map<String, Pending> pending = new HashMap<>();

    public FailedLoginAudit(Clock clock, Duration period, int maxAddresses, Consumer<Summary> sink) {
        this.clock = clock;
        this.period = period;
        this.maxAddresses = maxAddresses;
        this.sink = sink;
    }

    public void failed(String account, String address) {
        Instant now = clock.instant();
        Summary now1;
        synchronized (pending) {
            String key = address == null ? OTHER_ADDRESSES : ClientAddresses.host(address);
            if (!pending.containsKey(key) && pending.size() >= maxAddresses) {
                key = OTHER_ADDRESSES;
            }
            Pending p = pending.computeIfAbsent(key, k -> new Pending());
            if (p.count == 0) {
                p.first = now;
            }
            p.count++;
            p.last = now;
            if (account != null && p.accounts.size() < MAX_ACCOUNTS) {
                p.accounts.add(account.length() > MAX_ACCOUNT_NAME ? account.substring(0, MAX_ACCOUNT_NAME) : account);
            }
            if (p.lastRecorded != null && now.isBefore(p.lastRecorded.plus(period))) {
                return;
            }
            now1 = take(key, p, now);
        }
        sink.accept(now1);
    }

    /**
     * Records what was counted for each address whose period has passed ({@code force}: every address, as at
     * shutdown), and forgets addresses that were quiet for a whole period.
     */
    public void flush(boolean force) {
        Instant now = clock.instant();
        List<Summary> due = new ArrayList<>();
        synchronized (pending) {
            for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Pending> e = it.next();
                Pending p = e.getValue();
                boolean periodOver = p.lastRecorded == null || !now.isBefore(p.lastRecorded.plus(period));
                if (p.count > 0 && (force || periodOver)) {
                    due.add(take(e.getKey(), p, now));
                } else if (p.count == 0 && periodOver) {
                    it.remove();
                }
            }
        }
        due.forEach(sink);
    }

    private static Summary take(String address, Pending p, Instant now) {
        Summary s = new Summary(address, p.count, List.copyOf(p.accounts), p.first, p.last);
        p.count = 0;
        p.accounts.clear();
        p.lastRecorded = now;
        return s;
    }
}
