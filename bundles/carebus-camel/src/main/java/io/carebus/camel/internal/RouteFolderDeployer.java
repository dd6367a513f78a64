package io.carebus.camel.internal;

import io.carebus.camel.RouteFileState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesBuilderLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the YAML route files of one folder into a running CamelContext, file by file, and keeps them in step with
 * the folder on every {@link #scan()}.
 *
 * <p>Camel's own {@code RouteWatcherReloadStrategy} removes routes before it knows whether their replacement loads,
 * and ignores deleted files when it does not remove all routes; an interface engineer's typo would then take a
 * running interface down. Here a file's new content is parsed first, its routes swapped in, and on any failure the
 * last good content of that file is deployed again, so the previous version keeps running. Other files are never
 * touched by a change to one file.
 */
final class RouteFolderDeployer {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFolderDeployer.class);
    private static final Pattern YAML_LINE = Pattern.compile("line (\\d+), column \\d+");

    private final CamelContext camel;
    private final Path directory;
    private final Clock clock;

    /** Per file: the content that runs now (absent when nothing of the file runs) and its route ids. */
    private final Map<String, Deployed> deployed = new HashMap<>();
    /** Per file: fingerprint of the content last looked at, so an unchanged rejected file is not retried every scan. */
    private final Map<String, String> seen = new HashMap<>();
    private final Map<String, RouteFileState> states = new TreeMap<>();
    private volatile boolean initialScanDone;

    RouteFolderDeployer(CamelContext camel, Path directory, Clock clock) {
        this.camel = camel;
        this.directory = directory;
        this.clock = clock;
    }

    Path directory() {
        return directory;
    }

    boolean initialScanDone() {
        return initialScanDone;
    }

    synchronized List<RouteFileState> states() {
        return List.copyOf(states.values());
    }

    /** Brings the CamelContext in step with the folder: deploys new and changed files, removes deleted ones. */
    synchronized void scan() {
        Map<String, byte[]> current = readFolder();
        for (String gone : new ArrayList<>(seen.keySet())) {
            if (!current.containsKey(gone)) {
                undeploy(gone);
            }
        }
        // Files that define route templates go first, so the files instantiating them find them on a first start.
        List<Map.Entry<String, byte[]>> changed = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : current.entrySet()) {
            String fingerprint = sha256(file.getValue());
            if (!fingerprint.equals(seen.get(file.getKey()))) {
                seen.put(file.getKey(), fingerprint);
                changed.add(file);
            }
        }
        changed.sort((a, b) -> Boolean.compare(!mayDefineTemplates(a.getValue()), !mayDefineTemplates(b.getValue())));
        boolean templatesDeployed = false;
        for (Map.Entry<String, byte[]> file : changed) {
            templatesDeployed |= deploy(file.getKey(), file.getValue());
        }
        if (templatesDeployed) {
            // A file rejected because a template it uses was missing (or broken) gets another try now that it is here.
            for (Map.Entry<String, byte[]> file : current.entrySet()) {
                RouteFileState state = states.get(file.getKey());
                if (state != null && !state.deployed() && state.error() != null && state.error().contains("RouteTemplate")) {
                    deploy(file.getKey(), file.getValue());
                }
            }
        }
        initialScanDone = true;
    }

    /** Removes every route this deployer added (on shutdown of the owner). */
    synchronized void undeployAll() {
        for (String file : new ArrayList<>(deployed.keySet())) {
            removeRoutes(deployed.get(file).routeIds());
            removeTemplates(deployed.get(file).templateIds());
        }
        deployed.clear();
        seen.clear();
        states.clear();
    }

    private Map<String, byte[]> readFolder() {
        Map<String, byte[]> files = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            LOG.warn("Routes folder {} does not exist; no routes are deployed from it", directory);
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path path : stream) {
                String name = path.getFileName().toString();
                if (isRouteFile(name) && Files.isRegularFile(path)) {
                    try {
                        files.put(name, Files.readAllBytes(path));
                    } catch (IOException e) {
                        // Being written or removed right now: the next scan sees it settled.
                        LOG.debug("Could not read {} this time: {}", path, e.toString());
                        if (seen.containsKey(name)) {
                            files.put(name, null);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.error("Could not list routes folder {}: {}", directory, e.toString());
            // Keep everything as it is rather than treating an unreadable folder as an empty one.
            Map<String, byte[]> unchanged = new TreeMap<>();
            seen.keySet().forEach(f -> unchanged.put(f, null));
            return unchanged;
        }
        files.values().removeIf(v -> v == null);
        return files;
    }

    static boolean isRouteFile(String name) {
        return !name.startsWith(".") && !name.endsWith("~") && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    /** Only an ordering hint (templates first); whether a file really defines templates is what parsing says. */
    private static boolean mayDefineTemplates(byte[] content) {
        return new String(content, java.nio.charset.StandardCharsets.UTF_8).contains("routeTemplate:");
    }

    /** Deploys one file; true when it deployed and defines route templates. */
    private boolean deploy(String file, byte[] content) {
        Deployed previous = deployed.get(file);
        Parsed parsed;
        try {
            parsed = parse(file, content);
            checkIdsAreFree(file, parsed);
        } catch (Exception e) {
            reject(file, e, null, previous);
            return false;
        }
        if (previous != null) {
            removeRoutes(previous.routeIds());
            removeTemplates(previous.templateIds());
        }
        try {
            List<String> ids = addAndStart(parsed);
            deployed.put(file, new Deployed(content, ids, parsed.templateIds()));
            states.put(file, new RouteFileState(file, true, ids, null, null, clock.instant()));
            LOG.info("Deployed routes file {}: routes {}{}", file, ids,
                    parsed.templates().isEmpty() ? "" : ", route templates " + parsed.templateIds());
            return !parsed.templates().isEmpty();
        } catch (Exception e) {
            removeRoutes(parsed.routeIds());
            removeTemplates(parsed.templateIds());
            Integer line = lineOfFailingRoute(e, parsed.routes());
            if (previous != null) {
                restore(file, previous);
            }
            reject(file, e, line, previous);
            return false;
        }
    }

    private void restore(String file, Deployed previous) {
        try {
            addAndStart(parse(file, previous.content()));
        } catch (Exception e) {
            // The old content started before; failing now means something outside the file changed (a port taken).
            LOG.error("Previous version of routes file {} could not be started again: {}", file, describe(e));
            removeRoutes(previous.routeIds());
            removeTemplates(previous.templateIds());
            deployed.remove(file);
        }
    }

    private void reject(String file, Exception e, Integer knownLine, Deployed previous) {
        Integer line = knownLine != null ? knownLine : lineFromMessage(e);
        String message = describe(e);
        Deployed running = deployed.get(file) == previous ? previous : null;
        List<String> runningIds = running == null ? List.of() : running.routeIds();
        states.put(file, new RouteFileState(file, false, runningIds, message, line, clock.instant()));
        LOG.error("Rejected routes file {}{}: {}; {}", directory.resolve(file), line == null ? "" : " at line " + line, message,
                runningIds.isEmpty() ? "no route of this file is running" : "its previous version keeps running " + runningIds);
    }

    private void undeploy(String file) {
        Deployed previous = deployed.remove(file);
        seen.remove(file);
        states.remove(file);
        if (previous != null) {
            removeRoutes(previous.routeIds());
            removeTemplates(previous.templateIds());
            LOG.info("Routes file {} was removed: stopped and removed routes {}", file, previous.routeIds());
        }
    }

    /**
     * A file's routes, its route templates, and the routes it makes from templates ({@code templatedRoute}, from a
     * template of this file or of another one already deployed).
     */
    private record Parsed(List<RouteDefinition> routes, List<RouteTemplateDefinition> templates, List<TemplatedRouteDefinition> templated) {

        List<String> routeIds() {
            List<String> ids = new ArrayList<>(ids(routes));
            templated.forEach(t -> ids.add(t.getRouteId()));
            return ids;
        }

        List<String> templateIds() {
            return templates.stream().map(RouteTemplateDefinition::getId).toList();
        }
    }

    private Parsed parse(String file, byte[] content) throws Exception {
        Resource resource = ResourceHelper.fromBytes("file:" + directory.resolve(file), content);
        List<RouteDefinition> definitions = new ArrayList<>();
        List<RouteTemplateDefinition> templates = new ArrayList<>();
        List<TemplatedRouteDefinition> templated = new ArrayList<>();
        // Asked for by name rather than by file extension: Camel maps only ".yaml" to it, and ".yml" is as common.
        RoutesBuilderLoader yaml = PluginHelper.getRoutesLoader(camel).getRoutesLoader("yaml");
        if (yaml == null) {
            throw new IllegalStateException("the Camel YAML DSL is not available to the CamelContext");
        }
        for (RoutesBuilder builder : List.of(yaml.loadRoutesBuilder(resource))) {
            if (!(builder instanceof RouteBuilder routeBuilder)) {
                throw new IllegalArgumentException("unsupported content (" + builder.getClass().getSimpleName() + ")");
            }
            definitions.addAll(routeBuilder.configureRoutes(camel).getRoutes());
            templates.addAll(routeBuilder.getRouteTemplateCollection().getRouteTemplates());
            templated.addAll(routeBuilder.getTemplatedRouteCollection().getTemplatedRoutes());
            if (!routeBuilder.getRestCollection().getRests().isEmpty()) {
                throw new IllegalArgumentException("rest definitions are not supported in route files yet");
            }
        }
        if (definitions.isEmpty() && templates.isEmpty() && templated.isEmpty()) {
            throw new IllegalArgumentException("the file defines no route");
        }
        assignMissingIds(file, definitions);
        for (RouteTemplateDefinition template : templates) {
            if (!template.hasCustomIdAssigned()) {
                throw new IllegalArgumentException("a route template needs an id (templatedRoute names it in routeTemplateRef)");
            }
        }
        int n = 0;
        for (TemplatedRouteDefinition t : templated) {
            n++;
            if (t.getRouteId() == null || t.getRouteId().isBlank()) {
                t.setRouteId(file.replaceFirst("\\.ya?ml$", "") + "-" + t.getRouteTemplateRef() + "-" + n);
            }
        }
        return new Parsed(definitions, templates, templated);
    }

    /** Routes without an id get one from their file, so a route keeps its id (and metrics, and history) across edits. */
    private static void assignMissingIds(String file, List<RouteDefinition> definitions) {
        String base = file.replaceFirst("\\.ya?ml$", "");
        int n = 0;
        for (RouteDefinition definition : definitions) {
            n++;
            if (!definition.hasCustomIdAssigned()) {
                definition.setId(definitions.size() == 1 ? base : base + "-" + n);
            }
        }
    }

    private void checkIdsAreFree(String file, Parsed parsed) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : parsed.routeIds()) {
            if (!ids.add(id)) {
                throw new IllegalArgumentException("route id '" + id + "' is used twice in the file");
            }
        }
        Set<String> templateIds = new LinkedHashSet<>();
        for (String id : parsed.templateIds()) {
            if (!templateIds.add(id)) {
                throw new IllegalArgumentException("route template id '" + id + "' is used twice in the file");
            }
        }
        for (Map.Entry<String, Deployed> other : deployed.entrySet()) {
            if (!other.getKey().equals(file)) {
                for (String id : other.getValue().routeIds()) {
                    if (ids.contains(id)) {
                        throw new IllegalArgumentException("route id '" + id + "' is already defined in " + other.getKey());
                    }
                }
                for (String id : other.getValue().templateIds()) {
                    if (templateIds.contains(id)) {
                        throw new IllegalArgumentException("route template id '" + id + "' is already defined in " + other.getKey());
                    }
                }
            }
        }
        for (String id : ids) {
            if (camel.getRoute(id) != null && !ownedBy(file, id)) {
                throw new IllegalArgumentException("route id '" + id + "' is already used by a route not from this folder");
            }
        }
    }

    private boolean ownedBy(String file, String id) {
        Deployed d = deployed.get(file);
        return d != null && d.routeIds().contains(id);
    }

    private List<String> addAndStart(Parsed parsed) throws Exception {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        // Templates first: the file's own templatedRoutes may use them.
        model.addRouteTemplateDefinitions(parsed.templates());
        model.addRouteDefinitions(parsed.routes());
        for (TemplatedRouteDefinition templated : parsed.templated()) {
            model.addRouteFromTemplatedRoute(templated);
        }
        List<String> ids = parsed.routeIds();
        List<String> plain = ids(parsed.routes());
        for (String id : ids) {
            ServiceStatus status = camel.getRouteController().getRouteStatus(id);
            int index = plain.indexOf(id);
            boolean wantsStart = index < 0 || !"false".equals(parsed.routes().get(index).getAutoStartup());
            if (wantsStart && status != ServiceStatus.Started) {
                throw new FailedToStartRouteException(id, "its status is " + status + " after deployment");
            }
        }
        return ids;
    }

    private void removeTemplates(List<String> ids) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        for (String id : ids) {
            try {
                RouteTemplateDefinition template = model.getRouteTemplateDefinition(id);
                if (template != null) {
                    model.removeRouteTemplateDefinition(template);
                }
            } catch (Exception e) {
                LOG.warn("Could not remove route template {}: {}", id, describe(e));
            }
        }
    }

    private void removeRoutes(List<String> ids) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        for (String id : ids) {
            try {
                Route route = camel.getRoute(id);
                if (route != null) {
                    camel.getRouteController().stopRoute(id);
                    camel.removeRoute(id);
                }
                RouteDefinition definition = model.getRouteDefinition(id);
                if (definition != null) {
                    model.removeRouteDefinition(definition);
                }
            } catch (Exception e) {
                LOG.warn("Could not remove route {}: {}", id, describe(e));
            }
        }
    }

    private static List<String> ids(List<RouteDefinition> definitions) {
        return definitions.stream().map(RouteDefinition::getId).toList();
    }

    private static Integer lineOfFailingRoute(Exception e, List<RouteDefinition> definitions) {
        String routeId = null;
        for (Throwable t = e; t != null && routeId == null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException f) {
                routeId = f.getRouteId();
            } else if (t instanceof FailedToStartRouteException f) {
                routeId = f.getRouteId();
            }
        }
        for (RouteDefinition definition : definitions) {
            if (definition.getId().equals(routeId) && definition.getLineNumber() > 0) {
                return definition.getLineNumber();
            }
        }
        Integer fromMessage = lineFromMessage(e);
        if (fromMessage != null) {
            return fromMessage;
        }
        return definitions.size() == 1 && definitions.get(0).getLineNumber() > 0 ? definitions.get(0).getLineNumber() : null;
    }

    private static Integer lineFromMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = YAML_LINE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Integer.valueOf(m.group(1));
            }
        }
        return null;
    }

    /** The outermost message plus the root cause's, on one line, which is what an operator needs to fix the file. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = firstLine(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        if (root == e) {
            return outer;
        }
        String inner = firstLine(root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName());
        return outer.contains(inner) ? outer : outer + " (caused by: " + inner + ")";
    }

    private static String firstLine(String s) {
        return Arrays.stream(s.split("\\R")).map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(s);
    }

    private static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private record Deployed(byte[] content, List<String> routeIds, List<String> templateIds) {
    }
}
