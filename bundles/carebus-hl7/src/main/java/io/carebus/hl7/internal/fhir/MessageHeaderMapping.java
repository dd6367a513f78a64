package io.carebus.hl7.internal.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.util.List;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;

/**
 * MSH (+ EVN) to MessageHeader and Provenance (IG "MSH[MessageHeader]", "MSH[Provenance]", "EVN[Provenance]"): the
 * event (v2-0003), sending and receiving application and facility, the sender as an Organization; the Provenance names
 * every resource of the Bundle as target, the message (MSH-10) as source entity, EVN-2 (else MSH-7) as recorded.
 * Neither has an identifier element, so both are {@code PUT Type/id} with the id derived from sender and control id.
 */
final class MessageHeaderMapping {

    static final String V2_0003 = "http://terminology.hl7.org/CodeSystem/v2-0003";

    private MessageHeaderMapping() {
    }

    static void add(V2Segment msh, V2Segment evn, String trigger, MappingContext ctx) {
        List<Reference> targets = ctx.bundle.bundle().getEntry().stream()
                .map(e -> new Reference(e.getFullUrl()).setType(e.getResource().fhirType())).toList();
        Reference sender = ctx.people.organization(ctx.facility, "", null);
        String application = msh.get(3).isEmpty() ? "unknown" : msh.get(3);
        String controlId = msh.get(10);
        String seed = ctx.facility + "|" + application + "|" + controlId + "|" + msh.get(7);

        MessageHeader header = new MessageHeader();
        String event = trigger.isEmpty() ? "UNK" : trigger;
        header.getEventCoding().setSystem(V2Codes.tableSystem("0003", event)).setCode(event);
        header.getSource().setName(application).setEndpoint(V2Codes.LOCAL_PREFIX + "application:" + V2Types.uriSafe(application));
        header.setSender(sender);
        String receiver = msh.get(5);
        if (!receiver.isEmpty() || !msh.get(6).isEmpty()) {
            header.addDestination().setName(receiver.isEmpty() ? msh.get(6) : receiver)
                    .setEndpoint(V2Codes.LOCAL_PREFIX + "application:" + V2Types.uriSafe(receiver.isEmpty() ? msh.get(6) : receiver));
        }
        targets.stream().filter(t -> !"Organization".equals(t.getType()) && !"Practitioner".equals(t.getType())
                && !"Location".equals(t.getType()) && !"Medication".equals(t.getType())).forEach(header::addFocus);
        ctx.bundle.addWithId(header, "MessageHeader|" + seed);

        Provenance provenance = new Provenance();
        targets.forEach(provenance::addTarget);
        provenance.setRecordedElement(recorded(msh, evn, ctx));
        provenance.getActivity().addCoding().setSystem(V2Codes.tableSystem("0003", event)).setCode(event);
        provenance.addAgent().setWho(sender).getType().addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/provenance-participant-type").setCode("author");
        Reference operator = evn == null ? null : ctx.people.practitioner(evn, 5, 0);
        if (operator != null) {
            provenance.addAgent().setWho(operator).getType().addCoding()
                    .setSystem("http://terminology.hl7.org/CodeSystem/provenance-participant-type").setCode("enterer");
        }
        if (!controlId.isEmpty()) {
            provenance.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE).setWhat(new Reference()
                    .setDisplay("HL7v2 message " + msh.get(9) + "^" + msh.get(9, 2))
                    .setIdentifier(new Identifier().setSystem(V2Codes.LOCAL_PREFIX + "message:" + V2Types.uriSafe(ctx.facility)
                            + ":" + V2Types.uriSafe(application)).setValue(controlId)));
        }
        ctx.bundle.addWithId(provenance, "Provenance|" + seed);
    }

    /** An instant needs seconds: a time sent to the minute or the day is read as its first second. */
    private static InstantType recorded(V2Segment msh, V2Segment evn, MappingContext ctx) {
        DateTimeType time = evn == null ? null : ctx.dateTime(evn, 2).orElse(null);
        if (time == null) {
            time = ctx.dateTime(msh, 7).orElse(null);
        }
        if (time == null) {
            ctx.warn("MSH-7", "no valid message time; Provenance.recorded is the time of mapping", msh.get(7).length());
            return InstantType.withCurrentTime();
        }
        TimeZone zone = time.getTimeZone() != null ? time.getTimeZone() : TimeZone.getTimeZone(ctx.zone);
        return new InstantType(time.getValue(), TemporalPrecisionEnum.SECOND, zone);
    }

    static boolean isHeader(Bundle.BundleEntryComponent e) {
        return e.getResource() instanceof MessageHeader || e.getResource() instanceof Provenance;
    }
}
