package io.carebus.security.internal;

import io.carebus.api.security.AuthenticatedUser;
import io.carebus.api.security.Role;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AccountLockedException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;

/**
 * An HTTP login against a Karaf JAAS realm, with the client's address on the subject (for the throttle). A successful
 * login is remembered for {@code cacheTtl} under an HMAC of user and password (a random key per start; the password
 * itself is never kept), so clients that send Basic credentials with every request pay the slow hash once a minute.
 */
final class JaasLogin {

    sealed interface Outcome permits Accepted, Rejected, Locked {
    }

    record Accepted(AuthenticatedUser user) implements Outcome {
    }

    record Rejected() implements Outcome {
    }

    record Locked(Duration retryAfter) implements Outcome {
    }

    private static final int CACHE_SIZE = 1024;

    private final String realm;
    private final LoginThrottle throttle;
    private final Duration cacheTtl;
    private final Clock clock;
    private final byte[] cacheKey = new byte[32];
    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private record Cached(AuthenticatedUser user, long until) {
    }

    /** Logs in to exactly these entries, not to the realm of that name with the highest rank (null: to that realm). */
    private final javax.security.auth.login.Configuration entries;

    JaasLogin(String realm, LoginThrottle throttle, Duration cacheTtl, Clock clock) {
        this(realm, throttle, cacheTtl, clock, null);
    }

    /** A login to one realm service's own modules, bypassing the throttle (for the appliance's own checks). */
    static JaasLogin unthrottled(org.apache.karaf.jaas.config.JaasRealm realm, LoginThrottle throttle) {
        return new JaasLogin(realm.getName(), throttle, Duration.ZERO, Clock.systemUTC(), new javax.security.auth.login.Configuration() {
            @Override
            public javax.security.auth.login.AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return realm.getEntries();
            }
        });
    }

    private JaasLogin(String realm, LoginThrottle throttle, Duration cacheTtl, Clock clock, javax.security.auth.login.Configuration entries) {
        this.entries = entries;
        this.realm = realm;
        this.throttle = throttle;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
        new SecureRandom().nextBytes(cacheKey);
    }

    Outcome login(String user, char[] password, String clientAddress) {
        String key = cacheTtl.isZero() ? null : cacheKey(user, password);
        if (key != null) {
            synchronized (cache) {
                Cached hit = cache.get(key);
                if (hit != null && hit.until() > clock.millis()) {
                    return new Accepted(hit.user());
                }
            }
        }
        Subject subject = new Subject();
        subject.getPrincipals().add(new ClientPrincipal("http", clientAddress));
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // LoginContext loads Karaf's proxy login module through the context class loader; the web container's
        // thread may carry another bundle's.
        thread.setContextClassLoader(JaasLogin.class.getClassLoader());
        try {
            javax.security.auth.callback.CallbackHandler handler = callbacks -> {
                for (Callback callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback pw) {
                        pw.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(callback);
                    }
                }
            };
            (entries == null ? new LoginContext(realm, subject, handler) : new LoginContext(realm, subject, handler, entries)).login();
        } catch (AccountLockedException e) {
            return new Locked(throttle.lockedFor(user, clientAddress).orElse(Duration.ofSeconds(1)));
        } catch (LoginException e) {
            return new Rejected();
        } finally {
            thread.setContextClassLoader(before);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (RolePrincipal principal : subject.getPrincipals(RolePrincipal.class)) {
            Role.ofJaasName(principal.getName()).ifPresent(roles::add);
        }
        AuthenticatedUser accepted = new AuthenticatedUser(user, roles);
        if (key != null) {
            synchronized (cache) {
                cache.put(key, new Cached(accepted, clock.millis() + cacheTtl.toMillis()));
            }
        }
        return new Accepted(accepted);
    }

    private String cacheKey(String user, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            mac.update(pw);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
