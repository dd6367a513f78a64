package io.carebus.modelguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;

/** The hook takes exactly the unadmitted model revisions out of a resolve, and admission is per revision. */
class UnadmittedModelsHookTest {

    private final AdmittedRevisions gate = new AdmittedRevisions(AdmittedRevisions::hasModelHeader);
    private final UnadmittedModelsHook hook = new UnadmittedModelsHook(gate);

    @Test
    void aModelBundleCannotResolveUntilAdmittedAndOtherBundlesAreLeftAlone() {
        BundleRevision model = revision("evil.model", Map.of("CareBus-Model", "model-card.yaml", "Bundle-Activator", "evil.Activator"));
        BundleRevision plain = revision("some.library", Map.of("Bundle-SymbolicName", "some.library"));
        List<BundleRevision> candidates = new ArrayList<>(List.of(model, plain));

        hook.begin(List.of(model)).filterResolvable(candidates);

        assertThat(candidates).containsExactly(plain);
        assertThat(gate.mayResolve(model)).isFalse();
        assertThat(gate.mayResolve(plain)).isTrue();
    }

    @Test
    void anAdmittedRevisionResolvesButTheNextRevisionOfTheSameBundleWaitsAgain() {
        Map<String, String> headers = Map.of("CareBus-Model", "model-card.yaml");
        BundleRevision checked = revision("vendor.model", headers);
        BundleRevision updated = revision("vendor.model", headers);
        gate.admit(checked);

        List<BundleRevision> candidates = new ArrayList<>(List.of(checked, updated));
        hook.filterResolvable(candidates);

        assertThat(candidates).containsExactly(checked);
    }

    private static BundleRevision revision(String name, Map<String, String> headers) {
        Dictionary<String, String> dictionary = new Hashtable<>(headers);
        Bundle bundle = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getHeaders" -> dictionary;
                    case "getSymbolicName" -> name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (BundleRevision) Proxy.newProxyInstance(BundleRevision.class.getClassLoader(), new Class<?>[] {BundleRevision.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundle" -> bundle;
                    case "getSymbolicName" -> name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
