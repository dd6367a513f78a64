package io.carebus.console.internal.shell;

import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageSummary;
import java.time.Instant;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code carebus:messages}: the message browser in the Karaf shell (metadata only, never message content). */
@Service
@Command(scope = "carebus", name = "messages", description = "Lists stored messages, newest first")
public class MessagesCommand implements Action {

    @Reference
    MessageStore store;

    @Option(name = "--status", description = "RECEIVED, PROCESSED, FILTERED or ERROR")
    String status;

    @Option(name = "--type", description = "message type prefix, e.g. ADT or ORU^R01")
    String type;

    @Option(name = "--control-id", description = "exact control id (MSH-10)")
    String controlId;

    @Option(name = "--sender", description = "exact sender (MSH-3^MSH-4)")
    String sender;

    @Option(name = "--patient", description = "patient identifier: system|value, or the value alone (PID-3)")
    String patient;

    @Option(name = "--since", description = "ISO-8601 instant, e.g. 2026-11-28T00:00:00Z")
    String since;

    @Option(name = "--before", description = "only ids below this one (paging)")
    Long before;

    @Option(name = "--limit", description = "how many (1..1000)")
    int limit = 20;

    @Override
    public Object execute() {
        MessageStatus wanted;
        try {
            wanted = status == null ? null : MessageStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("--status must be one of " + java.util.Arrays.toString(MessageStatus.values()));
            return null;
        }
        List<MessageSummary> found = store.search(new MessageQuery(controlId, wanted, type, sender,
                since == null ? null : Instant.parse(since), null, patient, before, limit));
        ShellTable table = new ShellTable();
        table.column("Id").alignRight();
        table.column("Received");
        table.column("Listener");
        table.column("Type");
        table.column("Control id");
        table.column("Sender");
        table.column("Status");
        table.column("Error").maxSize(60);
        for (MessageSummary m : found) {
            table.addRow().addContent(m.id(), m.receivedAt(), m.listener(), m.messageType(), m.controlId(), m.sender(),
                    m.status(), m.error() == null ? "" : m.error());
        }
        table.print(System.out);
        return null;
    }
}
