package io.carebus.dicom.internal.shell;

import io.carebus.dicom.DicomForwarding;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:dicom-destinations}: the configured destinations, their last C-ECHO and their queues. */
@Service
@Command(scope = "carebus", name = "dicom-destinations", description = "Lists DICOM destinations with their queues")
public class DicomDestinationsCommand implements Action {

    @Reference
    DicomForwarding forwarding;

    @Override
    public Object execute() {
        for (DicomForwarding.Destination d : forwarding.destinations()) {
            System.out.println(d.name() + "  " + d.aeTitle() + "@" + d.host() + ":" + d.port() + "  queue " + forwarding.queueCounts(d.name())
                    + "  last echo: " + d.lastEcho());
        }
        return null;
    }
}
