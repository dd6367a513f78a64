package io.carebus.dicom.internal;

import io.carebus.camel.RouteStep;
import io.carebus.dicom.DicomForwarding;
import io.carebus.dicom.DicomHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code carebus:dicom-forward?destination=<name>}: queues the exchange's instances (header {@code CareBusDicomMessageIds}
 * on the study route, else {@code CareBusMessageId}) for C-STORE to the destination. Queued durably before the step
 * returns; sent by the destination's sender. Header {@code CareBusDicomQueued}: how many were newly queued.
 */
@Component(service = RouteStep.class)
public class ForwardStep implements RouteStep {

    static final String QUEUED = "CareBusDicomQueued";

    private final DicomForwarding forwarding;

    @Activate
    public ForwardStep(@Reference DicomForwarding forwarding) {
        this.forwarding = forwarding;
    }

    @Override
    public String name() {
        return "dicom-forward";
    }

    @Override
    public Set<String> options() {
        return Set.of("destination");
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        String destination = options.get("destination");
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("carebus:dicom-forward needs ?destination=<name>");
        }
        List<?> ids = exchange.getMessage().getHeader(DicomHeaders.MESSAGE_IDS, List.class);
        if (ids == null) {
            Long id = exchange.getMessage().getHeader(DicomHeaders.MESSAGE_ID, Long.class);
            if (id == null) {
                throw new IllegalArgumentException("carebus:dicom-forward needs a DICOM exchange (header " + DicomHeaders.MESSAGE_ID + ")");
            }
            ids = List.of(id);
        }
        int queued = 0;
        for (Object id : ids) {
            if (forwarding.queue(destination, ((Number) id).longValue())) {
                queued++;
            }
        }
        exchange.getMessage().setHeader(QUEUED, queued);
    }
}
