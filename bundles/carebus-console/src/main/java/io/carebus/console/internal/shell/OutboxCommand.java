package io.carebus.console.internal.shell;

import io.carebus.api.outbox.Outbox;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:outbox}: results on their way to the EHRs, newest first (no bodies: they hold PHI). */
@Service
@Command(scope = "carebus", name = "outbox", description = "Lists results waiting for, delivered to or refused by the EHRs")
public class OutboxCommand implements Action {

    @Reference
    Outbox outbox;

    @Option(name = "--status", description = "PENDING, DELIVERED, DEAD or LOCAL")
    String status;

    @Option(name = "--ehr", description = "only this EHR")
    String ehr;

    @Option(name = "--limit", description = "at most this many (default 50)")
    int limit = 50;

    @Override
    public Object execute() {
        OutboxStatus wanted = status == null ? null : OutboxStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT));
        System.out.printf("%-8s %-10s %-16s %-10s %-8s %-6s %s%n", "ID", "EHR", "TYPE", "STATUS", "ATTEMPTS", "HTTP", "LAST OUTCOME");
        for (OutboxEntry e : outbox.list(wanted, ehr, limit)) {
            System.out.printf("%-8d %-10s %-16s %-10s %-8d %-6s %s%n", e.id(), e.ehr(), e.resourceType(), e.status(), e.attempts(),
                    e.lastHttpStatus() == null ? "-" : e.lastHttpStatus(), e.lastOutcome() == null ? "" : e.lastOutcome());
        }
        return null;
    }
}
