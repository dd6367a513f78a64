package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;

/** ROL to PractitionerRole (IG "ROL[PractitionerRole]"): the person (ROL-4), role (ROL-3, table 0443), period. */
final class PractitionerRoleMapping {

    private PractitionerRoleMapping() {
    }

    static PractitionerRole fromRol(V2Segment rol, MappingContext ctx) {
        Reference person = ctx.people.practitioner(rol, 4, 0);
        if (person == null) {
            return null;
        }
        PractitionerRole role = new PractitionerRole().setPractitioner(person);
        if (!rol.get(3).isEmpty() || !rol.get(3, 2).isEmpty()) {
            role.addCode(V2Types.concept(rol, 3, 0, "HL70443", null));
        }
        ctx.dateTime(rol, 5).ifPresent(t -> role.getPeriod().setStartElement(t));
        ctx.dateTime(rol, 6).ifPresent(t -> role.getPeriod().setEndElement(t));
        PatientMapping.telecoms(rol, 12, ContactPoint.ContactPointUse.WORK).forEach(role::addTelecom);
        Identifier id = V2Types.ei(rol, 1, ctx.facility, "FILL");
        if (id != null) {
            id.setType(null);
        } else {
            id = ctx.derived("role", rol.get(3), rol.get(4));
        }
        if (id != null) {
            role.addIdentifier(id);
        }
        role.setActive(!"D".equalsIgnoreCase(rol.get(2)));
        return role;
    }
}
