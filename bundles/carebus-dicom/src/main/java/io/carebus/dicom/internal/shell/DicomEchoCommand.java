package io.carebus.dicom.internal.shell;

import io.carebus.dicom.DicomForwarding;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:dicom-echo <destination>}: C-ECHO a configured destination now. */
@Service
@Command(scope = "carebus", name = "dicom-echo", description = "C-ECHO a configured DICOM destination")
public class DicomEchoCommand implements Action {

    @Reference
    DicomForwarding forwarding;

    @Argument(index = 0, name = "destination", description = "destination name (etc/io.carebus.dicom.destination-<name>.cfg)",
            required = true)
    String destination;

    @Override
    public Object execute() {
        DicomForwarding.EchoResult result = forwarding.echo(destination);
        System.out.println((result.ok() ? "OK" : "FAILED") + " in " + result.millis() + " ms: " + result.detail());
        return null;
    }
}
