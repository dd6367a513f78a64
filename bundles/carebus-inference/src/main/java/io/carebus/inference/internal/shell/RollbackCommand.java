package io.carebus.inference.internal.shell;

import io.carebus.inference.ModelRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:rollback <model>}: the version that served before the last promotion serves again. */
@Service
@Command(scope = "carebus", name = "rollback", description = "Gives serving back to the previous version of a model")
public class RollbackCommand implements Action {

    @Reference
    ModelRegistry registry;

    @Argument(index = 0, name = "model", required = true)
    String model;

    @Override
    public Object execute() {
        registry.rollback(model);
        System.out.println(model + " rolled back");
        return null;
    }
}
