package io.carebus.console.internal;

import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeatureState;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The container's part of health: every boot feature (Karaf's {@code featuresBoot}) installed and Started, every
 * bundle Active (fragments Resolved). While Karaf is still booting this is DOWN, which is what a load balancer
 * must see.
 */
@Component(service = HealthIndicator.class)
public class KarafHealthIndicator implements HealthIndicator {

    private final BundleContext bundleContext;
    private final FeaturesService features;
    private final ConfigurationAdmin configAdmin;

    @Activate
    public KarafHealthIndicator(BundleContext bundleContext, @Reference FeaturesService features,
                                @Reference ConfigurationAdmin configAdmin) {
        this.bundleContext = bundleContext;
        this.features = features;
        this.configAdmin = configAdmin;
    }

    @Override
    public String name() {
        return "karaf";
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> bootFeatures = new LinkedHashMap<>();
        for (String spec : bootFeatureSpecs()) {
            String state = featureState(spec);
            bootFeatures.put(spec, state);
            if (!FeatureState.Started.name().equals(state)) {
                problems.add("boot feature " + spec + " is " + state);
            }
        }
        int active = 0;
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : bundleContext.getBundles()) {
            boolean fragment = bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() == expected) {
                active++;
            } else {
                notActive.add(bundle.getSymbolicName() + " " + stateName(bundle.getState()));
            }
        }
        notActive.forEach(b -> problems.add("bundle " + b));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("bootFeatures", bootFeatures);
        details.put("bundlesActive", active);
        details.put("bundlesNotActive", notActive);
        return HealthReport.of(problems, details);
    }

    private String featureState(String spec) {
        String[] nameVersion = spec.split("/", 2);
        try {
            Feature[] matches = nameVersion.length == 2
                    ? new Feature[] {features.getFeature(nameVersion[0], nameVersion[1])}
                    : features.getFeatures(nameVersion[0]);
            if (matches == null || matches.length == 0 || matches[0] == null) {
                return "Unknown";
            }
            for (Feature f : matches) {
                if (features.isInstalled(f)) {
                    FeatureState state = features.getState(f.getId());
                    return state == null ? "Installed" : state.name();
                }
            }
            return "NotInstalled";
        } catch (Exception e) {
            return "Unknown (" + e.getMessage() + ")";
        }
    }

    /** {@code featuresBoot} as configured, e.g. {@code (instance, package), scr, carebus-core}: stages and all. */
    private List<String> bootFeatureSpecs() {
        List<String> specs = new ArrayList<>();
        try {
            // Listed, not fetched with getConfiguration: that would create (and bind) the configuration when absent.
            Configuration[] configs = configAdmin.listConfigurations("(service.pid=org.apache.karaf.features)");
            Dictionary<String, Object> props = configs == null ? null : configs[0].getProperties();
            Object boot = props == null ? null : props.get("featuresBoot");
            if (boot != null) {
                for (String part : boot.toString().replace("(", ",").replace(")", ",").split(",")) {
                    String spec = part.strip();
                    if (!spec.isEmpty()) {
                        specs.add(spec);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            specs.add("featuresBoot (unreadable: " + e.getMessage() + ")");
        }
        return specs;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "Installed";
            case Bundle.RESOLVED -> "Resolved";
            case Bundle.STARTING -> "Starting";
            case Bundle.STOPPING -> "Stopping";
            case Bundle.ACTIVE -> "Active";
            default -> "Uninstalled";
        };
    }
}
