package io.carebus.camel;

import java.time.Instant;
import java.util.List;

/**
 * What happened to one route file the last time it changed.
 *
 * @param file            file name within the routes folder
 * @param deployed        true when the current content of the file runs
 * @param routeIds        the ids of the routes now running from this file (the previous version's when rejected)
 * @param error           why the current content was rejected, or null
 * @param errorLine       the 1-based line of the file the error points to, or null when unknown
 * @param at              when this state was reached
 */
public record RouteFileState(String file, boolean deployed, List<String> routeIds, String error, Integer errorLine, Instant at) {

    public RouteFileState {
        routeIds = List.copyOf(routeIds);
    }

    /** A rejected update whose previous version keeps running. */
    public boolean previousVersionRunning() {
        return !deployed && !routeIds.isEmpty();
    }
}
