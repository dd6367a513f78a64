package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.RelatedPerson;

/**
 * NK1 (next of kin, contacts) and GT1 (guarantor) to RelatedPerson (IG "NK1[RelatedPerson]", "GT1[RelatedPerson]").
 * A guarantor who is the patient (GT1-11 SEL) or an organization (GT1-21) is no related person.
 */
final class RelatedPersonMapping {


    private RelatedPersonMapping() {
    }

    static RelatedPerson fromNk1(V2Segment nk1, MappingContext ctx) {
        HumanName name = PatientMapping.name(nk1, 2, 0);
        if (name == null) {
            name = PatientMapping.name(nk1, 30, 0);
        }
        if (ctx.subject == null || name == null) {
            return null;
        }
        RelatedPerson person = new RelatedPerson().setPatient(ctx.subject).addName(name);
        relationship(person, nk1, 3, "0063");
        relationship(person, nk1, 7, "0131");
        for (int rep = 0; rep < nk1.repetitions(4); rep++) {
            Address address = PatientMapping.address(nk1, 4, rep);
            if (address != null) {
                person.addAddress(address);
            }
        }
        PatientMapping.telecoms(nk1, 5, ContactPoint.ContactPointUse.HOME).forEach(person::addTelecom);
        PatientMapping.telecoms(nk1, 6, ContactPoint.ContactPointUse.WORK).forEach(person::addTelecom);
        ctx.date(nk1, 8).ifPresent(d -> person.getPeriod().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        ctx.date(nk1, 9).ifPresent(d -> person.getPeriod().setEndElement(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        ctx.date(nk1, 16).ifPresent(person::setBirthDateElement);
        String gender = V2Codes.gender(nk1.get(15));
        if (gender != null) {
            person.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.fromCode(gender));
        }
        Identifier id = ctx.derivedForPatient("nk", name.getFamily(), name.getGivenAsSingleString(), nk1.get(3));
        if (id != null) {
            person.addIdentifier(id);
        }
        return person;
    }

    static RelatedPerson fromGt1(V2Segment gt1, MappingContext ctx) {
        HumanName name = PatientMapping.name(gt1, 3, 0);
        if (ctx.subject == null || name == null || "SEL".equalsIgnoreCase(gt1.get(11))) {
            return null;
        }
        RelatedPerson person = new RelatedPerson().setPatient(ctx.subject).addName(name);
        Identifier guarantorNumber = V2Types.cx(gt1, 2, 0, ctx.facility);
        Identifier id = guarantorNumber != null ? guarantorNumber
                : ctx.derivedForPatient("guarantor", name.getFamily(), name.getGivenAsSingleString());
        if (id != null) {
            person.addIdentifier(id);
        }
        person.addRelationship().setText("guarantor");
        relationship(person, gt1, 11, "0063");
        Address address = PatientMapping.address(gt1, 5, 0);
        if (address != null) {
            person.addAddress(address);
        }
        PatientMapping.telecoms(gt1, 6, ContactPoint.ContactPointUse.HOME).forEach(person::addTelecom);
        PatientMapping.telecoms(gt1, 7, ContactPoint.ContactPointUse.WORK).forEach(person::addTelecom);
        ctx.date(gt1, 8).ifPresent(person::setBirthDateElement);
        String gender = V2Codes.gender(gt1.get(9));
        if (gender != null) {
            person.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.fromCode(gender));
        }
        return person;
    }

    private static void relationship(RelatedPerson person, V2Segment s, int field, String table) {
        String code = s.get(field, 0, 1, 1);
        String display = s.get(field, 0, 2, 1);
        if (code.isEmpty() && display.isEmpty()) {
            return;
        }
        var concept = person.addRelationship();
        if (!code.isEmpty()) {
            String named = s.get(field, 0, 3, 1);
            concept.addCoding().setSystem(named.isEmpty() || named.toUpperCase(Locale.ROOT).startsWith("HL7")
                    ? V2Codes.tableSystem(table, code) : V2Codes.codingSystem(named)).setCode(code);
        }
        if (!display.isEmpty()) {
            concept.setText(display);
        }
    }
}
