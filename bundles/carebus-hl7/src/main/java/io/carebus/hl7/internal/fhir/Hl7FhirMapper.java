package io.carebus.hl7.internal.fhir;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * HL7v2 to the canonical FHIR R4 form: a transaction Bundle whose entries are conditional on business identifiers
 * (PID-3, PV1-19, OBR-3 + OBX-3/4), so replaying a message, or sending an update (A08, a corrected result), updates
 * the same resources instead of creating new ones. ADT events become Patient (+ Encounter); patient merges (A40,
 * A34, A18, ...: PID + MRG) link the surviving and the retired Patient ({@code replaces} / {@code replaced-by});
 * ORU^R01 becomes Patient, DiagnosticReport per OBR and Observation per OBX.
 * Other message types have no canonical form yet ({@link Optional#empty()}).
 */
public final class Hl7FhirMapper {

    /** The mapping result and the patient identifiers ({@code system|value}) it names, for the browser's index. */
    public record Mapped(Bundle bundle, List<String> patientIdentifiers) {
    }

    private static final Set<String> RESULT_EVENTS = Set.of("R01", "R30", "R31", "R32");
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

    /** @param key unique per message (e.g. its store id), seeds the Bundle's stable entry URLs */
    public Optional<Mapped> map(Message message, String key) throws HL7Exception {
        List<V2Segment> segments = new ArrayList<>();
        collect(message, segments);
        if (segments.isEmpty() || !"MSH".equals(segments.get(0).name())) {
            return Optional.empty();
        }
        V2Segment msh = segments.get(0);
        String type = msh.get(9, 1).toUpperCase(Locale.ROOT);
        String trigger = msh.get(9, 2).toUpperCase(Locale.ROOT);
        String facility = msh.get(4).isEmpty() ? msh.get(3) : msh.get(4);
        Builder builder = new Builder(key);
        if ("ADT".equals(type)) {
            adt(segments, trigger, facility, builder);
        } else if ("ORU".equals(type) && RESULT_EVENTS.contains(trigger)) {
            oru(segments, facility, msh.get(10), builder);
        } else {
            return Optional.empty();
        }
        return builder.bundle.getEntry().isEmpty() ? Optional.empty()
                : Optional.of(new Mapped(builder.bundle, builder.patientIdentifiers));
    }

    private void adt(List<V2Segment> segments, String trigger, String facility, Builder builder) {
        Reference first = null;
        Reference current = null;
        V2Segment pv1 = null;
        Reference pv1Subject = null;
        boolean merges = MERGE_EVENTS.contains(trigger);
        for (V2Segment s : segments) {
            switch (s.name()) {
                case "PID" -> {
                    current = builder.patient(PatientMapping.fromPid(s, facility, zone));
                    if (first == null) {
                        first = current;
                    }
                }
                // MRG follows its PID, PD1 may stand between (ADT_A18, ADT_A30, ADT_A39: PID, PD1, MRG, PV1)
                case "MRG" -> {
                    if (merges && current != null) {
                        merge(s, current, facility, builder);
                    }
                }
                case "PV1" -> {
                    if (pv1 == null) {
                        pv1 = s;
                        pv1Subject = current;
                    }
                }
                default -> { }
            }
        }
        Reference subject = pv1Subject != null ? pv1Subject : first;
        if (subject != null) {
            Encounter encounter = EncounterMapping.fromPv1(pv1, trigger, subject, facility, zone);
            if (encounter != null) {
                builder.add(encounter, encounter.getIdentifier());
            }
        }
    }

    /**
     * MRG names the retired patient (MRG-1, the prior patient identifier list, and MRG-4, the prior patient ID of
     * older versions): it is marked inactive and "replaced-by" the surviving one (the PID before it), which "replaces"
     * it. An identifier the survivor carries itself is not retired.
     */
    private void merge(V2Segment mrg, Reference survivor, String facility, Builder builder) {
        Patient surviving = (Patient) builder.resourceAt(survivor);
        Patient retired = new Patient();
        for (int field : new int[] {1, 4}) {
            for (int rep = 0; rep < mrg.repetitions(field); rep++) {
                Identifier id = V2Types.cx(mrg, field, rep, facility);
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
        Reference retiredRef = builder.patient(retired);
        surviving.addLink().setType(Patient.LinkType.REPLACES).setOther(retiredRef);
    }

    private static boolean carries(Patient patient, Identifier id) {
        return patient.getIdentifier().stream().anyMatch(i -> i.getSystem().equals(id.getSystem()) && i.getValue().equals(id.getValue()));
    }

    private void oru(List<V2Segment> segments, String facility, String controlId, Builder builder) {
        Reference subject = null;
        Reference encounterRef = null;
        V2Segment obr = null;
        DiagnosticReport report = null;
        Observation last = null;
        for (V2Segment s : segments) {
            switch (s.name()) {
                case "PID" -> subject = builder.patient(PatientMapping.fromPid(s, facility, zone));
                case "PV1" -> {
                    Encounter encounter = subject == null ? null : EncounterMapping.fromPv1(s, "", subject, facility, zone);
                    if (encounter != null && encounterRef == null) {
                        encounterRef = builder.add(encounter, encounter.getIdentifier());
                    }
                }
                case "OBR" -> {
                    obr = s;
                    report = ResultMapping.report(s, subject, facility, zone);
                    if (encounterRef != null) {
                        report.setEncounter(encounterRef);
                    }
                    builder.add(report, report.getIdentifier().stream()
                            .filter(i -> "FILL".equals(i.getType().getCodingFirstRep().getCode())).toList());
                    last = null;
                }
                case "OBX" -> {
                    if (report == null) {
                        // An OBX before any OBR (seen from some devices): give it a report of its own.
                        report = new DiagnosticReport().setStatus(DiagnosticReport.DiagnosticReportStatus.UNKNOWN);
                        report.getCode().setText("results without an order (no OBR)");
                        report.setSubject(subject);
                        builder.add(report, List.of());
                    }
                    last = ResultMapping.observation(s, obr, report, subject, facility, controlId, zone);
                    if (last != null) {
                        if (encounterRef != null) {
                            last.setEncounter(encounterRef);
                        }
                        report.addResult(builder.add(last, last.getIdentifier()));
                    }
                }
                case "NTE" -> {
                    String text = ResultMapping.noteText(s);
                    if (last != null && !text.isEmpty()) {
                        last.addNote().setText(text);
                    }
                }
                default -> { }
            }
        }
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

    /** Builds the transaction Bundle: stable urn:uuid entry URLs, conditional requests on identifiers. */
    private static final class Builder {
        private final Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        private final List<String> patientIdentifiers = new ArrayList<>();
        private final String key;

        Builder(String key) {
            this.key = key;
        }

        Reference patient(Patient patient) {
            for (Identifier id : patient.getIdentifier()) {
                patientIdentifiers.add(id.getSystem() + "|" + id.getValue());
            }
            List<Identifier> conditional = patient.getIdentifier().stream()
                    .filter(i -> i.getType().getCoding().stream().anyMatch(c -> "MR".equals(c.getCode()))).toList();
            return add(patient, conditional.isEmpty() ? patient.getIdentifier() : conditional);
        }

        Reference add(Resource resource, List<Identifier> identifiers) {
            String type = resource.fhirType();
            String fullUrl = "urn:uuid:" + UUID.nameUUIDFromBytes((key + "|" + bundle.getEntry().size()).getBytes(StandardCharsets.UTF_8));
            Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl(fullUrl).setResource(resource);
            Identifier id = identifiers.isEmpty() ? null : identifiers.get(0);
            if (id != null) {
                entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(type + "?identifier="
                        + URLEncoder.encode(id.getSystem() + "|" + id.getValue(), StandardCharsets.UTF_8));
            } else {
                entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
            }
            return new Reference(fullUrl).setType(type);
        }

        Resource resourceAt(Reference reference) {
            return bundle.getEntry().stream().filter(e -> e.getFullUrl().equals(reference.getReference()))
                    .findFirst().orElseThrow().getResource();
        }
    }
}
