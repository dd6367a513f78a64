package io.carebus.console;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;

/** Checks a user name and password against a Karaf JAAS realm and returns the CareBus roles the user holds. */
public final class JaasAuthenticator {

    private final String realm;

    public JaasAuthenticator(String realm) {
        this.realm = realm;
    }

    public record Authenticated(String user, Set<Role> roles) {
    }

    public Optional<Authenticated> authenticate(String user, char[] password) {
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // LoginContext loads Karaf's proxy login module through the context class loader; the web container's
        // thread may carry another bundle's.
        thread.setContextClassLoader(JaasAuthenticator.class.getClassLoader());
        try {
            LoginContext login = new LoginContext(realm, subject, callbacks -> {
                for (Callback callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback pw) {
                        pw.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(callback);
                    }
                }
            });
            login.login();
        } catch (LoginException e) {
            return Optional.empty();
        } finally {
            thread.setContextClassLoader(before);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (RolePrincipal principal : subject.getPrincipals(RolePrincipal.class)) {
            Role.ofJaasName(principal.getName()).ifPresent(roles::add);
        }
        return Optional.of(new Authenticated(user, roles));
    }
}
