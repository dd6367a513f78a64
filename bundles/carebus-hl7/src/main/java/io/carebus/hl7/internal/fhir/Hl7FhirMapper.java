package io.carebus.hl7.internal.fhir;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/**
 * HL7v2 to the canonical FHIR R4 form: a transaction Bundle whose entries are conditional on business identifiers
 * (PID-3, PV1-19, ORC/OBR order numbers, OBX-3/4, DG1-20, ...; derived from the visit or patient and the coded fact
 * where the message has none), so replaying a message, or sending an update (A08, a corrected result), updates the
 * same resources instead of creating new ones. Segments map one by one after the HL7 v2-to-FHIR IG's segment maps
 * (see the bundle README for the table); the message type decides only what ORC/OBR and RXA mean (an order, a result,
 * an immunization, an administration). Patient merges (A40, A34, A18, ...: PID + MRG) link the surviving and the
 * retired Patient. Every Bundle ends with the MessageHeader and Provenance of the message.
 *
 * <p>The mapping degrades per field: a value that does not fit its type is left out and reported as a
 * {@link MappingWarning}; a segment whose mapping fails costs that segment only. Message types outside the families
 * below have no canonical form ({@link Optional#empty()}).
 */
public final class Hl7FhirMapper {

    /**
     * The mapping result, the patient identifiers ({@code system|value}) it names for the browser's index, and what
     * was left out (no values, only places and lengths).
     */
    public record Mapped(Bundle bundle, List<String> patientIdentifiers, List<MappingWarning> warnings) {

        public Mapped(Bundle bundle, List<String> patientIdentifiers) {
            this(bundle, patientIdentifiers, List.of());
        }
    }

    /** Families whose ORC/OBR are results (DiagnosticReport + Observation). */
    private static final Set<String> RESULTS = Set.of("ORU", "OUL");
    /** Message types with a canonical form (see the README's message table). */
    static final Set<String> MAPPED_TYPES = Set.of("ADT", "ORU", "OUL", "ORM", "OML", "OMG", "OMI", "OMB", "OMD", "OMN",
            "OMS", "OMP", "RDE", "RDS", "RAS", "RGV", "RDO", "VXU", "MDM", "SIU", "PPR", "PGL", "PPP", "PPG", "REF", "RRI",
            "DFT", "BAR");
    /**
     * Patient-level merges: A40 (merge patient - patient identifier list), A34 (patient ID only), A36 (patient ID and
     * account number), A39 (merge person - patient ID), A18 and A30 (their pre-2.3.1 forms). A35, A41 and A42 merge
     * accounts and visits of one patient, not patients: their MRG names no retired patient.
     */
    static final Set<String> MERGE_EVENTS = Set.of("A18", "A30", "A34", "A36", "A39", "A40");

    private final ZoneId zone;

    /** @param zone the zone of times the sender gives without an offset */
    public Hl7FhirMapper(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * @param key unique per message (e.g. its store id), seeds the Bundle's stable entry URLs
     * @throws HL7Exception only when the parsed message cannot be walked at all; bad fields never throw
     */
    public Optional<Mapped> map(Message message, String key) throws HL7Exception {
        List<V2Segment> segments = new ArrayList<>();
        collect(message, segments);
        if (segments.isEmpty() || !"MSH".equals(segments.get(0).name())) {
            return Optional.empty();
        }
        V2Segment msh = segments.get(0);
        String type = msh.get(9, 1).toUpperCase(Locale.ROOT);
        String trigger = msh.get(9, 2).toUpperCase(Locale.ROOT);
        if (!MAPPED_TYPES.contains(type)) {
            return Optional.empty();
        }
        String facility = msh.get(4).isEmpty() ? msh.get(3) : msh.get(4);
        MappingContext ctx = new MappingContext(facility, zone, new BundleBuilder(key));
        ctx.bundle.messageIdentity(V2Codes.LOCAL_PREFIX + "message:" + V2Types.uriSafe(facility) + ":" + V2Types.uriSafe(msh.get(3)),
                msh.get(10));
        new MessageWalk(type, trigger, msh, ctx).walk(segments);
        Bundle bundle = ctx.bundle.bundle();
        if (bundle.getEntry().stream().allMatch(e -> isShared(e.getResource().fhirType()))) {
            return Optional.empty();
        }
        V2Segment evn = segments.stream().filter(s -> "EVN".equals(s.name())).findFirst().orElse(null);
        try {
            MessageHeaderMapping.add(msh, evn, trigger, ctx);
        } catch (RuntimeException e) {
            ctx.warn("MSH", "MessageHeader/Provenance not mapped (" + e.getClass().getSimpleName() + ")", 0);
        }
        return Optional.of(new Mapped(bundle, ctx.bundle.patientIdentifiers(), ctx.warnings()));
    }

    private static boolean isShared(String type) {
        return "Practitioner".equals(type) || "Organization".equals(type) || "Location".equals(type) || "Medication".equals(type);
    }

    /**
     * MRG names the retired patient (MRG-1, the prior patient identifier list, and MRG-4, the prior patient ID of
     * older versions): it is marked inactive and "replaced-by" the surviving one (the PID before it), which "replaces"
     * it. An identifier the survivor carries itself is not retired.
     */
    static void merge(V2Segment mrg, Reference survivor, MappingContext ctx) {
        Patient surviving = (Patient) ctx.bundle.resourceAt(survivor);
        Patient retired = new Patient();
        for (int field : new int[] {1, 4}) {
            for (int rep = 0; rep < mrg.repetitions(field); rep++) {
                Identifier id = V2Types.cx(mrg, field, rep, ctx.facility);
                if (id != null && !carries(surviving, id) && !carries(retired, id)) {
                    retired.addIdentifier(id);
                }
            }
        }
        if (retired.getIdentifier().isEmpty()) {
            return;
        }
        retired.setActive(false);
        retired.addLink().setType(Patient.LinkType.REPLACEDBY).setOther(survivor);
        Reference retiredRef = ctx.bundle.patient(retired);
        surviving.addLink().setType(Patient.LinkType.REPLACES).setOther(retiredRef);
    }

    private static boolean carries(Patient patient, Identifier id) {
        return patient.getIdentifier().stream().anyMatch(i -> i.getSystem().equals(id.getSystem()) && i.getValue().equals(id.getValue()));
    }

    static boolean isResults(String type) {
        return RESULTS.contains(type);
    }

    private static void collect(Structure structure, List<V2Segment> out) throws HL7Exception {
        if (structure instanceof Segment segment) {
            V2Segment s = new V2Segment(segment);
            if (!s.isEmpty()) {
                out.add(s);
            }
            return;
        }
        Group group = (Group) structure;
        for (String name : group.getNames()) {
            for (Structure child : group.getAll(name)) {
                collect(child, out);
            }
        }
    }
}
