package io.carebus.inference.internal.shell;

import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ServingState;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code carebus:promote <model> <version>} makes a version serve (the previous one shadows); {@code --to canary|
 * shadow|retired} sets another state instead.
 */
@Service
@Command(scope = "carebus", name = "promote", description = "Makes a model version serve, or sets another state")
public class PromoteCommand implements Action {

    @Reference
    ModelRegistry registry;

    @Argument(index = 0, name = "model", required = true)
    String model;

    @Argument(index = 1, name = "version", required = true)
    String version;

    @Option(name = "--to", description = "serving (default), canary, shadow or retired")
    String to = "serving";

    @Override
    public Object execute() {
        ServingState state = ServingState.valueOf(to.toUpperCase(Locale.ROOT));
        registry.setState(model, version, state);
        System.out.println(model + " " + version + " is now " + state);
        return null;
    }
}
