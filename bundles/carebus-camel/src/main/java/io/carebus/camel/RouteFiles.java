package io.carebus.camel;

import java.util.List;

/** The route files of the appliance's routes folder and what became of each. Registered as an OSGi service. */
public interface RouteFiles {

    /** The folder the files are loaded from. */
    String directory();

    /** True once the folder has been read at least once since start. */
    boolean initialScanDone();

    /** Current state of every file seen (sorted by file name); deleted files are forgotten. */
    List<RouteFileState> files();

    /** Camel's status of a route now ({@code Started}, {@code Stopped}, ...), or {@code Unknown} when no such route runs. */
    String routeStatus(String routeId);
}
