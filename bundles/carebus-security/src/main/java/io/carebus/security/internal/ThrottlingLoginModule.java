package io.carebus.security.internal;

import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.login.AccountLockedException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import org.apache.karaf.jaas.boot.principal.ClientPrincipal;

/**
 * The first module of the throttled realm ({@link ThrottledKarafRealm}), flag {@code requisite}: refuses a login
 * at once ({@link AccountLockedException}) while its account or client address is locked, before any other module
 * hashes a password; otherwise it takes no part in the decision (its {@code login} returns false) and only learns
 * the realm's verdict: {@code commit} (success) or {@code abort} (failure), which it reports to the
 * {@link LoginGuard}. The client address comes from the subject's {@link ClientPrincipal}, which Karaf's SSH server
 * and CareBus's HTTP login both put there.
 */
public final class ThrottlingLoginModule implements LoginModule {

    /** The option under which the realm hands this module the {@link LoginGuard}. */
    static final String GUARD_OPTION = "io.carebus.security.guard";

    private LoginGuard guard;
    private Subject subject;
    private CallbackHandler callbacks;
    private String account;
    private String address;
    private boolean refused;

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
        this.guard = (LoginGuard) options.get(GUARD_OPTION);
    }

    @Override
    public boolean login() throws LoginException {
        account = askName();
        address = clientAddress(subject);
        Optional<Duration> locked = guard == null ? Optional.empty() : guard.throttle().lockedFor(account, address);
        if (locked.isPresent()) {
            refused = true;
            throw new AccountLockedException("too many failed logins; retry in " + Math.max(1, locked.get().toSeconds()) + " s");
        }
        return false;
    }

    @Override
    public boolean commit() {
        if (guard != null && account != null) {
            guard.succeeded(account, address);
        }
        return false;
    }

    @Override
    public boolean abort() {
        // A refused login is not counted again: the lock runs from the failures that caused it, not from the flood.
        // It is still audited (in aggregate), so the operator sees the flood.
        if (guard != null) {
            guard.failed(account, address, refused);
        }
        return false;
    }

    @Override
    public boolean logout() {
        return false;
    }

    private String askName() {
        NameCallback name = new NameCallback("user");
        try {
            callbacks.handle(new Callback[] {name});
        } catch (Exception e) {
            return null;
        }
        return name.getName();
    }

    static String clientAddress(Subject subject) {
        if (subject == null) {
            return null;
        }
        for (Principal p : subject.getPrincipals()) {
            if (p instanceof ClientPrincipal client) {
                return client.getAddress();
            }
        }
        return null;
    }
}
