package io.carebus.security.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code karaf} JAAS realm with login throttling in front: Karaf's own realm (users.properties, public keys,
 * whatever {@code etc/org.apache.karaf.jaas.cfg} configures, or a hospital's LDAP realm of the same name) with
 * {@link ThrottlingLoginModule} as its first, requisite module. Karaf's JAAS configuration uses the realm of a name
 * with the highest rank, so this one (rank 100) serves every {@code karaf} login: the SSH console, the web console and
 * the HTTP endpoints alike, which is how one mechanism throttles them all.
 */
@Component(service = JaasRealm.class, property = ThrottledKarafRealm.MARKER + "=true")
public class ThrottledKarafRealm implements JaasRealm {

    static final String MARKER = "carebus.throttled";
    static final String REALM = "karaf";
    static final int RANK = 100;

    private final LoginGuard guard;
    private final long bundleId;
    private final List<JaasRealm> wrapped = new CopyOnWriteArrayList<>();

    @Activate
    public ThrottledKarafRealm(@Reference LoginGuard guard, BundleContext context) {
        this.guard = guard;
        this.bundleId = context.getBundle().getBundleId();
    }

    // Every other realm: the one named karaf with the highest rank below this one's is wrapped.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = "(!(" + MARKER + "=true))")
    void addRealm(JaasRealm realm) {
        wrapped.add(realm);
    }

    void removeRealm(JaasRealm realm) {
        wrapped.remove(realm);
    }

    @Override
    public String getName() {
        return REALM;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        List<AppConfigurationEntry> entries = new ArrayList<>();
        Map<String, Object> options = new HashMap<>();
        options.put(ProxyLoginModule.PROPERTY_MODULE, ThrottlingLoginModule.class.getName());
        options.put(ProxyLoginModule.PROPERTY_BUNDLE, Long.toString(bundleId));
        options.put(ThrottlingLoginModule.GUARD_OPTION, guard);
        entries.add(new AppConfigurationEntry(ProxyLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUISITE, options));
        wrapped.stream().filter(r -> REALM.equals(r.getName()) && r.getRank() < RANK)
                .max(Comparator.comparingInt(JaasRealm::getRank))
                .ifPresent(r -> entries.addAll(List.of(r.getEntries())));
        return entries.toArray(AppConfigurationEntry[]::new);
    }
}
