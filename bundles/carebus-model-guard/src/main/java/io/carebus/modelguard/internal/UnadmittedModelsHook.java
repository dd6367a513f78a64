package io.carebus.modelguard.internal;

import io.carebus.modelguard.ModelBundleGate;
import java.util.Collection;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes every model revision the gate has not admitted out of each resolve. An unresolved bundle cannot start (so
 * no Bundle-Activator or Service-Component of a vendor's runs), cannot attach as a fragment to another bundle, and
 * offers nothing to be wired to: the only thing the framework does with it is keep its bytes.
 */
final class UnadmittedModelsHook implements ResolverHookFactory, ResolverHook {

    private static final Logger LOG = LoggerFactory.getLogger(UnadmittedModelsHook.class);

    private final ModelBundleGate gate;

    UnadmittedModelsHook(ModelBundleGate gate) {
        this.gate = gate;
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return this;
    }

    @Override
    public void filterResolvable(Collection<BundleRevision> candidates) {
        candidates.removeIf(revision -> {
            boolean held = !gate.mayResolve(revision);
            if (held) {
                LOG.debug("Model bundle {} waits for its checks before it may resolve", revision.getSymbolicName());
            }
            return held;
        });
    }

    @Override
    public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisionCandidates) {
        // singletons are the framework's business
    }

    @Override
    public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
        // an unadmitted revision never resolves, so none of its capabilities is ever a candidate
    }

    @Override
    public void end() {
        // stateless
    }
}
