package io.carebus.modelguard.internal;

import io.carebus.modelguard.ModelBundleGate;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the resolver hook and the gate. This bundle starts at a start level below Karaf's deployer
 * ({@code felix.fileinstall.active.level}), so no model jar in {@code deploy/} is ever resolved without the hook.
 */
public final class GuardActivator implements BundleActivator {

    private static final Logger LOG = LoggerFactory.getLogger(GuardActivator.class);

    private ServiceRegistration<ResolverHookFactory> hook;
    private ServiceRegistration<ModelBundleGate> gate;

    @Override
    public void start(BundleContext context) {
        AdmittedRevisions admitted = new AdmittedRevisions(AdmittedRevisions::hasModelHeader);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_RANKING, Integer.MAX_VALUE);
        hook = context.registerService(ResolverHookFactory.class, new UnadmittedModelsHook(admitted), properties);
        gate = context.registerService(ModelBundleGate.class, admitted, null);
        LOG.info("Model bundles are held unresolved until the inference extender has checked them");
    }

    @Override
    public void stop(BundleContext context) {
        gate.unregister();
        hook.unregister();
        // Stopping the guard in a running engine lifts the hold: only an operator does that, so it is said loudly.
        // At shutdown it is just the framework going down.
        if (context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING) {
            LOG.info("Model bundle guard stopped with the framework");
        } else {
            LOG.warn("Model bundle guard stopped: model bundles installed from now on are no longer held for their checks");
        }
    }
}
