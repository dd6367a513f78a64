package io.carebus.console.internal.shell;

import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import java.util.Collection;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** {@code carebus:reprocess}: queues stored messages for processing again (their status becomes RECEIVED). */
@Service
@Command(scope = "carebus", name = "reprocess", description = "Processes stored messages again")
public class ReprocessCommand implements Action {

    @Reference
    MessageStore store;

    @Reference
    BundleContext bundleContext;

    @Reference
    Session session;

    @Argument(index = 0, name = "ids", description = "message ids", required = true, multiValued = true)
    java.util.List<Long> ids;

    @Override
    public Object execute() throws InvalidSyntaxException {
        String user = String.valueOf(session.get("USER"));
        for (long id : ids) {
            StoredMessage message = store.find(id).orElse(null);
            if (message == null) {
                System.err.println("no message " + id);
                continue;
            }
            MessageProcessing processing = processingFor(message.message().protocol());
            if (processing == null) {
                System.err.println("nothing processes " + message.message().protocol() + " messages now: " + id + " left as is");
                continue;
            }
            processing.reprocess(id, "shell user " + user);
            System.out.println(id + " queued for reprocessing");
        }
        return null;
    }

    private MessageProcessing processingFor(String protocol) throws InvalidSyntaxException {
        Collection<ServiceReference<MessageProcessing>> refs = bundleContext.getServiceReferences(MessageProcessing.class, null);
        for (ServiceReference<MessageProcessing> ref : refs) {
            MessageProcessing p = bundleContext.getService(ref);
            if (p != null && p.protocol().equals(protocol)) {
                return p;
            }
        }
        return null;
    }
}
