package io.carebus.console.internal.shell;

import io.carebus.api.outbox.Outbox;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/** {@code carebus:outbox-retry}: sends dead-lettered results again (never delivered ones: that would duplicate them). */
@Service
@Command(scope = "carebus", name = "outbox-retry", description = "Puts dead-lettered outbox entries back in the queue")
public class OutboxRetryCommand implements Action {

    @Reference
    Outbox outbox;

    @Reference
    Session session;

    @Argument(index = 0, name = "ids", description = "outbox entry ids", required = true, multiValued = true)
    List<Long> ids;

    @Override
    public Object execute() {
        String user = "shell user " + session.get("USER");
        for (long id : ids) {
            System.out.println(outbox.retry(id, user) ? id + " queued again" : id + ": no such entry, or already delivered");
        }
        return null;
    }
}
