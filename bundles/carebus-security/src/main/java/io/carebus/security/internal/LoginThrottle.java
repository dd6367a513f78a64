package io.carebus.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts failed logins per account and per client address and locks either out for a while once it has failed too
 * often within a window. One instance serves every way in (HTTP Basic and SSH both log in through the {@code karaf}
 * JAAS realm, where {@link ThrottlingLoginModule} consults it), so an attacker cannot spread guesses across them.
 * <p>
 * While locked, a login is refused before any password hash is computed, so a flood of guesses costs almost nothing.
 * Memory is bounded: each table keeps at most {@code maxTracked} keys, the least recently used dropped first; an
 * attacker rotating account names therefore cannot grow the heap, and is locked out by address anyway.
 */
public final class LoginThrottle {

    /**
     * {@code maxAccountFailures} and {@code maxAddressFailures}: failures within {@code window} that lock the account
     * or the address for {@code lockout}. Zero or less turns that kind of lockout off.
     */
    public record Settings(int maxAccountFailures, int maxAddressFailures, Duration window, Duration lockout, int maxTracked) {
    }

    private static final class Counter {
        int failures;
        long windowStart;
        long lockedUntil;
    }

    private final Clock clock;
    private volatile Settings settings;
    private final Map<String, Counter> accounts;
    private final Map<String, Counter> addresses;

    public LoginThrottle(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.accounts = lru(settings.maxTracked());
        this.addresses = lru(settings.maxTracked());
    }

    private static Map<String, Counter> lru(int max) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
                return size() > Math.max(16, max);
            }
        };
    }

    public void reconfigure(Settings settings) {
        this.settings = settings;
    }

    /** How long this account or address (whichever is locked longer) stays locked; empty when neither is. */
    public Optional<Duration> lockedFor(String account, String address) {
        long now = clock.millis();
        long until = Math.max(lockedUntil(accounts, accountKey(account)), lockedUntil(addresses, addressKey(address)));
        return until > now ? Optional.of(Duration.ofMillis(until - now)) : Optional.empty();
    }

    /** A login with these credentials failed (wrong password, unknown user). */
    public void failed(String account, String address) {
        Settings s = settings;
        long now = clock.millis();
        count(accounts, accountKey(account), s.maxAccountFailures(), s, now);
        count(addresses, addressKey(address), s.maxAddressFailures(), s, now);
    }

    /** A login succeeded: the account starts afresh. The address does not: one valid account must not reset a guesser. */
    public void succeeded(String account) {
        synchronized (accounts) {
            accounts.remove(accountKey(account));
        }
    }

    private long lockedUntil(Map<String, Counter> table, String key) {
        if (key == null) {
            return 0;
        }
        synchronized (table) {
            Counter c = table.get(key);
            return c == null ? 0 : c.lockedUntil;
        }
    }

    private static void count(Map<String, Counter> table, String key, int max, Settings s, long now) {
        if (key == null || max <= 0) {
            return;
        }
        synchronized (table) {
            Counter c = table.computeIfAbsent(key, k -> new Counter());
            if (now - c.windowStart > s.window().toMillis()) {
                c.windowStart = now;
                c.failures = 0;
            }
            c.failures++;
            if (c.failures >= max) {
                c.lockedUntil = now + s.lockout().toMillis();
                c.failures = 0;
                c.windowStart = now;
            }
        }
    }

    /** Account names compare case-insensitively, so "Admin" and "admin" share one counter. */
    private static String accountKey(String account) {
        return account == null ? null : account.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static String addressKey(String address) {
        return address == null ? null : ClientAddresses.host(address);
    }
}
