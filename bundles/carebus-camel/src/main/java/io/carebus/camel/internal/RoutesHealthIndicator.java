package io.carebus.camel.internal;

import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.camel.RouteFileState;
import io.carebus.camel.RouteFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Health of the routes folder: UP when the folder was read, every file's current content is deployed or (rejected
 * update) its previous version runs, and every route from the folder is Started. A file that never deployed is a
 * problem; a rejected edit of a running file is reported in the details but does not take the appliance out of
 * service, because its interfaces still run.
 */
@Component(service = HealthIndicator.class)
public class RoutesHealthIndicator implements HealthIndicator {

    private final RouteFiles runtime;

    @Activate
    public RoutesHealthIndicator(@Reference RouteFiles runtime) {
        this.runtime = runtime;
    }

    @Override
    public String name() {
        return "routes";
    }

    @Override
    public HealthReport report() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> files = new LinkedHashMap<>();
        if (!runtime.initialScanDone()) {
            problems.add("routes folder " + runtime.directory() + " not loaded yet");
        }
        for (RouteFileState state : runtime.files()) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("deployed", state.deployed());
            Map<String, Object> routes = new LinkedHashMap<>();
            for (String id : state.routeIds()) {
                String status = runtime.routeStatus(id);
                routes.put(id, status);
                if (!"Started".equals(status)) {
                    problems.add("route " + id + " from " + state.file() + " is " + status);
                }
            }
            file.put("routes", routes);
            if (state.error() != null) {
                file.put("error", state.error());
                if (state.errorLine() != null) {
                    file.put("line", state.errorLine());
                }
                if (!state.previousVersionRunning()) {
                    problems.add("routes file " + state.file() + " was rejected: " + state.error());
                }
            }
            files.put(state.file(), file);
        }
        return HealthReport.of(problems, Map.of("directory", runtime.directory(), "files", files));
    }
}
