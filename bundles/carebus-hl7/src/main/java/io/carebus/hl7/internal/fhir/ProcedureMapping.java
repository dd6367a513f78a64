package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;

/**
 * PR1 to Procedure (IG "PR1[Procedure]"): code (PR1-3, system from CNE-3 or PR1-2), time (PR1-5), the anesthesiologist
 * (PR1-8), surgeon (PR1-11) and other practitioners (PR1-12) as performers, the associated diagnosis (PR1-15).
 */
final class ProcedureMapping {

    private ProcedureMapping() {
    }

    static Procedure fromPr1(V2Segment pr1, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(pr1, 3, 0, pr1.get(2), pr1.get(4));
        if (ctx.subject == null || code.isEmpty()) {
            return null;
        }
        boolean deleted = "D".equalsIgnoreCase(pr1.get(20));
        Procedure procedure = new Procedure().setStatus(deleted ? Procedure.ProcedureStatus.ENTEREDINERROR
                : Procedure.ProcedureStatus.COMPLETED).setCode(code).setSubject(ctx.subject);
        if (ctx.encounter != null) {
            procedure.setEncounter(ctx.encounter);
        }
        ctx.dateTime(pr1, 5).ifPresent(procedure::setPerformed);
        Identifier id = V2Types.ei(pr1, 19, ctx.facility, "FILL");
        if (id != null) {
            id.setType(null);
        } else {
            id = ctx.derived("proc", code.getCodingFirstRep().getCode() != null ? code.getCodingFirstRep().getCode() : code.getText(),
                    pr1.get(5));
        }
        if (id != null) {
            procedure.addIdentifier(id);
        }
        performers(pr1, 8, "anesthesiologist", procedure, ctx);
        performers(pr1, 11, "surgeon", procedure, ctx);
        performers(pr1, 12, "procedure practitioner", procedure, ctx);
        if (!pr1.get(15).isEmpty()) {
            procedure.addReasonCode(V2Types.concept(pr1, 15, 0));
        }
        return procedure;
    }

    private static void performers(V2Segment pr1, int field, String function, Procedure procedure, MappingContext ctx) {
        for (Reference who : ctx.people.practitioners(pr1, field)) {
            procedure.addPerformer().setActor(who).getFunction().setText(function);
        }
    }
}
