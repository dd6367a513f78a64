package io.carebus.dicom.internal;

import io.carebus.dicom.DicomForwarding;
import io.carebus.dicom.DicomInstance;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@link DicomForwarding} over the configured destinations and the durable queue. */
@Component(service = DicomForwarding.class)
public class DicomForwarder implements DicomForwarding {

    private final DicomGateway gateway;
    private final Map<String, DicomDestination> destinations = new ConcurrentHashMap<>();

    @Activate
    public DicomForwarder(@Reference DicomGateway gateway) {
        this.gateway = gateway;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDestination(DicomDestination destination) {
        destinations.put(destination.name(), destination);
    }

    void removeDestination(DicomDestination destination) {
        destinations.remove(destination.name(), destination);
    }

    private DicomDestination destination(String name) {
        DicomDestination destination = destinations.get(name);
        if (destination == null) {
            throw new IllegalArgumentException("no DICOM destination " + name + " (configured: " + destinations.keySet()
                    + "; see etc/io.carebus.dicom.destination-<name>.cfg)");
        }
        return destination;
    }

    @Override
    public List<Destination> destinations() {
        return destinations.values().stream().map(DicomDestination::describe).sorted(Comparator.comparing(Destination::name)).toList();
    }

    @Override
    public EchoResult echo(String destination) {
        return destination(destination).echo();
    }

    @Override
    public boolean queue(String destination, long messageId) {
        DicomDestination target = destination(destination);
        boolean added = gateway.forwardQueue().add(destination, messageId);
        target.wake();
        return added;
    }

    @Override
    public int queueStudy(String destination, String studyInstanceUid) {
        DicomDestination target = destination(destination);
        int added = 0;
        for (DicomInstance instance : gateway.study(studyInstanceUid)) {
            if (gateway.forwardQueue().add(destination, instance.messageId())) {
                added++;
            }
        }
        target.wake();
        return added;
    }

    @Override
    public Map<String, Integer> queueCounts(String destination) {
        destination(destination);
        return gateway.forwardQueue().counts(destination);
    }
}
