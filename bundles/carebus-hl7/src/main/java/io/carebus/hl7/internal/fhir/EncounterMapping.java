package io.carebus.hl7.internal.fhir;

import java.time.ZoneId;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/** PV1 to Encounter (v2-to-FHIR IG "PV1[Encounter]"): visit number, class, status by trigger, period, location. */
final class EncounterMapping {

    private EncounterMapping() {
    }

    /** Null when PV1 carries no visit (absent, empty, or patient class N = not applicable). */
    static Encounter fromPv1(V2Segment pv1, String trigger, Reference subject, String sendingFacility, ZoneId zone) {
        if (pv1 == null || pv1.isEmpty() || "N".equalsIgnoreCase(pv1.get(2))
                || (pv1.get(2).isEmpty() && pv1.get(19).isEmpty() && pv1.get(3).isEmpty())) {
            return null;
        }
        Encounter encounter = new Encounter();
        Identifier visit = V2Types.cx(pv1, 19, 0, sendingFacility);
        if (visit != null) {
            visit.setType(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(V2Codes.V2_0203, "VN", "Visit number")));
            encounter.addIdentifier(visit);
        }
        String[] cls = V2Codes.patientClass(pv1.get(2));
        encounter.getClass_().setSystem(cls[0]).setCode(cls[1]).setDisplay(cls[2]);
        boolean discharged = !pv1.get(45).isEmpty();
        encounter.setStatus(Encounter.EncounterStatus.fromCode(V2Codes.encounterStatus(trigger, discharged)));
        encounter.setSubject(subject);
        V2DateTimes.toFhir(pv1.get(44), zone).ifPresent(start -> encounter.getPeriod().setStartElement(
                new org.hl7.fhir.r4.model.DateTimeType(start)));
        V2DateTimes.toFhir(pv1.get(45), zone).ifPresent(end -> encounter.getPeriod().setEndElement(
                new org.hl7.fhir.r4.model.DateTimeType(end)));
        String location = String.join(" ", java.util.stream.Stream.of(pv1.get(3, 0, 4, 1), pv1.get(3, 0, 1, 1),
                pv1.get(3, 0, 2, 1), pv1.get(3, 0, 3, 1)).filter(p -> !p.isEmpty()).toList());
        if (!location.isEmpty()) {
            encounter.addLocation().setLocation(new Reference().setDisplay(location));
        }
        Reference attending = V2Types.xcn(pv1, 7, 0, sendingFacility);
        if (attending != null) {
            encounter.addParticipant().setIndividual(attending).addType().addCoding()
                    .setSystem("http://terminology.hl7.org/CodeSystem/v3-ParticipationType").setCode("ATND");
        }
        if (!pv1.get(10).isEmpty()) {
            encounter.getServiceType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v2-0069").setCode(pv1.get(10));
        }
        if (!pv1.get(36).isEmpty()) {
            encounter.getHospitalization().getDischargeDisposition().addCoding()
                    .setSystem("http://terminology.hl7.org/CodeSystem/v2-0112").setCode(pv1.get(36));
        }
        return encounter;
    }
}
