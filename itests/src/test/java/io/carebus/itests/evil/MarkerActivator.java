package io.carebus.itests.evil;

import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The attacker's code in {@code ModelBundlesIT}: packed into a "model bundle" as its Bundle-Activator. If it ever
 * runs inside the appliance, it leaves a marker file, which the test looks for.
 */
public class MarkerActivator implements BundleActivator {

    public static final String MARKER = "tmp/evil-activator-ran";

    @Override
    public void start(BundleContext context) throws Exception {
        Path marker = Path.of(System.getProperty("karaf.data"), MARKER);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "activator ran in " + context.getBundle().getSymbolicName());
    }

    @Override
    public void stop(BundleContext context) {
        // nothing to undo
    }
}
