package io.carebus.inference.internal.shell;

import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:models}: every model bundle seen, its state, and why a refused one was refused. */
@Service
@Command(scope = "carebus", name = "models", description = "Lists model bundles and their serving state")
public class ModelsCommand implements Action {

    @Reference
    ModelRegistry registry;

    @Override
    public Object execute() {
        System.out.printf("%-6s %-20s %-10s %-8s %-10s %s%n", "Bundle", "Model", "Version", "State", "Requests", "Signer / reason");
        for (ModelView m : registry.models()) {
            System.out.printf("%-6d %-20s %-10s %-8s %-10d %s%n", m.bundleId(), m.modelId() == null ? "-" : m.modelId(),
                    m.version() == null ? "-" : m.version(), m.state(), m.requests(), m.reason() != null ? m.reason() : m.signer());
        }
        return null;
    }
}
