package io.carebus.metrics.internal;

import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;

/**
 * Logs a scraper in against the Karaf JAAS realm that /api uses and tells whether it holds a CareBus role. Kept in
 * this bundle (not the console's authenticator) so that /metrics does not depend on where the appliance's login code
 * lives while it moves into carebus-security; once that bundle's servlet context is on main, /metrics selects it.
 */
final class JaasScrapeLogin implements ScrapeAccess.Authenticator {

    /** DESIGN.md section 6: the JAAS role names of the CareBus roles. */
    static final Set<String> CAREBUS_ROLES = Set.of("admin", "engineer", "auditor", "viewer");

    private final String realm;

    JaasScrapeLogin(String realm) {
        this.realm = realm;
    }

    @Override
    public ScrapeAccess.Login authenticate(String user, char[] password) {
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // LoginContext loads Karaf's proxy login module through the context class loader; the web container's
        // thread may carry another bundle's.
        thread.setContextClassLoader(JaasScrapeLogin.class.getClassLoader());
        try {
            new LoginContext(realm, subject, callbacks -> {
                for (Callback callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback pw) {
                        pw.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(callback);
                    }
                }
            }).login();
        } catch (LoginException e) {
            return ScrapeAccess.Login.REJECTED;
        } finally {
            thread.setContextClassLoader(before);
        }
        boolean carebusRole = subject.getPrincipals(RolePrincipal.class).stream()
                .anyMatch(p -> CAREBUS_ROLES.contains(p.getName()));
        return carebusRole ? ScrapeAccess.Login.CAREBUS_ROLE : ScrapeAccess.Login.NO_CAREBUS_ROLE;
    }
}
