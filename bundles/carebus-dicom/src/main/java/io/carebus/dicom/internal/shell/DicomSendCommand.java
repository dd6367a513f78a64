package io.carebus.dicom.internal.shell;

import io.carebus.dicom.DicomForwarding;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:dicom-send <destination> <study UID>}: queues a kept study for C-STORE to a destination. */
@Service
@Command(scope = "carebus", name = "dicom-send", description = "Queues a kept study for C-STORE to a destination")
public class DicomSendCommand implements Action {

    @Reference
    DicomForwarding forwarding;

    @Argument(index = 0, name = "destination", required = true)
    String destination;

    @Argument(index = 1, name = "study", description = "Study Instance UID", required = true)
    String study;

    @Override
    public Object execute() {
        int queued = forwarding.queueStudy(destination, study);
        System.out.println(queued + " instance(s) queued for " + destination + "; queue: " + forwarding.queueCounts(destination));
        return null;
    }
}
