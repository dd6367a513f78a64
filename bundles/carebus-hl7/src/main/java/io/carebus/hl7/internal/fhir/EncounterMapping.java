package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * PV1 to Encounter (v2-to-FHIR IG "PV1[Encounter]"): visit number, class, status by trigger, period, the assigned
 * (and prior) location as Location resources, the attending, referring, consulting and admitting doctors as
 * Practitioner participants (ATND, REF, CON, ADM); PV2 adds the admit reason.
 */
final class EncounterMapping {

    static final String PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

    private EncounterMapping() {
    }

    /** Null when PV1 carries no visit (absent, empty, or patient class N = not applicable). */
    static Encounter fromPv1(V2Segment pv1, String trigger, Reference subject, MappingContext ctx) {
        if (pv1 == null || pv1.isEmpty() || "N".equalsIgnoreCase(pv1.get(2))
                || (pv1.get(2).isEmpty() && pv1.get(19).isEmpty() && pv1.get(3).isEmpty())) {
            return null;
        }
        Encounter encounter = new Encounter();
        Identifier visit = V2Types.cx(pv1, 19, 0, ctx.facility);
        if (visit != null) {
            visit.setType(new CodeableConcept().addCoding(new Coding(V2Codes.V2_0203, "VN", "Visit number")));
            encounter.addIdentifier(visit);
        } else if (!pv1.get(44).isEmpty()) {
            // no visit number: the patient and the admission time identify the visit, so a replay still updates it
            Identifier derived = ctx.derivedForPatient("visit", pv1.get(44), pv1.get(2));
            if (derived != null) {
                encounter.addIdentifier(derived);
            }
        }
        String[] cls = V2Codes.patientClass(pv1.get(2));
        encounter.getClass_().setSystem(cls[0]).setCode(cls[1]).setDisplay(cls[2]);
        boolean discharged = !pv1.get(45).isEmpty();
        encounter.setStatus(Encounter.EncounterStatus.fromCode(V2Codes.encounterStatus(trigger, discharged)));
        if (subject != null) {
            encounter.setSubject(subject);
        }
        ctx.dateTime(pv1, 44).ifPresent(start -> encounter.getPeriod().setStartElement(start));
        ctx.dateTime(pv1, 45).ifPresent(end -> encounter.getPeriod().setEndElement(end));
        if (encounter.getPeriod().hasStart() && encounter.getPeriod().hasEnd()
                && encounter.getPeriod().getEnd().before(encounter.getPeriod().getStart())) {
            ctx.warn("PV1-45", "discharge before admission", pv1.get(45).length());
            encounter.getPeriod().setEndElement(null);
        }
        Reference location = ctx.people.location(pv1, 3, 0);
        if (location != null) {
            encounter.addLocation().setLocation(location).setStatus(discharged
                    ? Encounter.EncounterLocationStatus.COMPLETED : Encounter.EncounterLocationStatus.ACTIVE);
        }
        Reference prior = ctx.people.location(pv1, 6, 0);
        if (prior != null) {
            encounter.addLocation().setLocation(prior).setStatus(Encounter.EncounterLocationStatus.COMPLETED);
        }
        if (!pv1.get(4).isEmpty()) {
            encounter.addType().addCoding().setSystem(V2Codes.tableSystem("0007", pv1.get(4))).setCode(pv1.get(4));
        }
        participants(pv1, 7, "ATND", "attender", encounter, ctx);
        participants(pv1, 8, "REF", "referrer", encounter, ctx);
        participants(pv1, 9, "CON", "consultant", encounter, ctx);
        participants(pv1, 17, "ADM", "admitter", encounter, ctx);
        if (!pv1.get(10).isEmpty()) {
            encounter.getServiceType().addCoding().setSystem(V2Codes.tableSystem("0069", pv1.get(10))).setCode(pv1.get(10));
        }
        if (!pv1.get(14).isEmpty()) {
            encounter.getHospitalization().getAdmitSource().addCoding()
                    .setSystem(V2Codes.tableSystem("0023", pv1.get(14))).setCode(pv1.get(14));
        }
        if (!pv1.get(13).isEmpty()) {
            encounter.getHospitalization().getReAdmission().addCoding()
                    .setSystem(V2Codes.tableSystem("0092", pv1.get(13))).setCode(pv1.get(13));
        }
        if (!pv1.get(36).isEmpty()) {
            encounter.getHospitalization().getDischargeDisposition().addCoding()
                    .setSystem(V2Codes.tableSystem("0112", pv1.get(36))).setCode(pv1.get(36));
        }
        Reference destination = ctx.people.location(pv1, 37, 0);
        if (destination != null) {
            encounter.getHospitalization().setDestination(destination);
        }
        return encounter;
    }

    /** PV2: admit reason (PV2-3) and the expected admission (PV2-8) when PV1 gave no start. */
    static void addPv2(V2Segment pv2, Encounter encounter, MappingContext ctx) {
        if (!pv2.get(3).isEmpty() || !pv2.get(3, 2).isEmpty()) {
            encounter.addReasonCode(V2Types.concept(pv2, 3, 0));
        }
        if (!encounter.getPeriod().hasStart()) {
            ctx.dateTime(pv2, 8).ifPresent(start -> encounter.getPeriod().setStartElement(start));
        }
        if (!pv2.get(12).isEmpty() && encounter.getReasonCode().isEmpty()) {
            encounter.addReasonCode().setText(pv2.get(12));
        }
    }

    private static void participants(V2Segment pv1, int field, String code, String display, Encounter encounter, MappingContext ctx) {
        for (Reference who : ctx.people.practitioners(pv1, field)) {
            encounter.addParticipant().setIndividual(who).addType().addCoding().setSystem(PARTICIPATION).setCode(code).setDisplay(display);
        }
    }
}
