package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * DG1 to Condition (IG "DG1[Condition]", category encounter-diagnosis) and PRB to Condition (IG "PRB[Condition]",
 * category problem-list-item). The code keeps the sender's coding system (DG1-3.3, or DG1-2 in 2.3-era messages):
 * I10 ICD-10, I10C ICD-10-CM, SCT SNOMED CT, I9C ICD-9-CM.
 */
final class ConditionMapping {

    static final String CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    static final String VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    static final String CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category";

    private ConditionMapping() {
    }

    /** Null when there is no patient to attach it to or no diagnosis in it. */
    static Condition fromDg1(V2Segment dg1, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(dg1, 3, 0, dg1.get(2), dg1.get(4));
        if (ctx.subject == null || code.isEmpty()) {
            return null;
        }
        Condition condition = new Condition().setCode(code).setSubject(ctx.subject);
        condition.addCategory().addCoding().setSystem(CATEGORY).setCode("encounter-diagnosis").setDisplay("Encounter Diagnosis");
        if (ctx.encounter != null) {
            condition.setEncounter(ctx.encounter);
        }
        Identifier id = V2Types.ei(dg1, 20, ctx.facility, "FILL");
        if (id != null) {
            id.setType(null);
        } else {
            id = ctx.derived("dx", code.getCodingFirstRep().getCode() != null ? code.getCodingFirstRep().getCode() : code.getText());
        }
        if (id != null) {
            condition.addIdentifier(id);
        }
        if ("D".equalsIgnoreCase(dg1.get(21))) {
            condition.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode("entered-in-error");
        } else {
            condition.getClinicalStatus().addCoding().setSystem(CLINICAL).setCode("active");
            String type = dg1.get(6).toUpperCase(Locale.ROOT);
            String verification = switch (type) {
                case "F" -> "confirmed";
                case "A", "W" -> "provisional";
                default -> null;
            };
            if (verification != null) {
                condition.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode(verification);
            }
        }
        ctx.dateTime(dg1, 5).ifPresent(condition::setOnset);
        ctx.dateTime(dg1, 19).ifPresent(condition::setRecordedDateElement);
        Reference clinician = ctx.people.practitioner(dg1, 16, 0);
        if (clinician != null) {
            condition.setAsserter(clinician);
        }
        return condition;
    }

    /** DG1-6 (A admitting, F final, W working) and DG1-15 (priority) as the Encounter's diagnosis entry. */
    static void addToEncounter(V2Segment dg1, Reference condition, org.hl7.fhir.r4.model.Encounter encounter) {
        org.hl7.fhir.r4.model.Encounter.DiagnosisComponent diagnosis = encounter.addDiagnosis().setCondition(condition);
        String use = switch (dg1.get(6).toUpperCase(Locale.ROOT)) {
            case "A" -> "AD";
            case "F" -> "DD";
            case "W" -> "CM";
            default -> null;
        };
        if (use != null) {
            diagnosis.getUse().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/diagnosis-role").setCode(use);
        }
        String rank = dg1.get(15);
        if (rank.matches("[1-9]\\d{0,5}")) {
            diagnosis.setRank(Integer.parseInt(rank));
        }
    }

    /** PRB (problem details): the problem list entry, its life cycle and confirmation status, onset and resolution. */
    static Condition fromPrb(V2Segment prb, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(prb, 3, 0);
        if (ctx.subject == null || code.isEmpty()) {
            return null;
        }
        Condition condition = new Condition().setCode(code).setSubject(ctx.subject);
        condition.addCategory().addCoding().setSystem(CATEGORY).setCode("problem-list-item").setDisplay("Problem List Item");
        Identifier id = V2Types.ei(prb, 4, ctx.facility, "FILL");
        if (id != null) {
            id.setType(null);
        } else {
            id = ctx.derivedForPatient("problem", code.getCodingFirstRep().getCode() != null ? code.getCodingFirstRep().getCode() : code.getText());
        }
        if (id != null) {
            condition.addIdentifier(id);
        }
        ctx.dateTime(prb, 16).ifPresent(condition::setOnset);
        if (!condition.hasOnset() && !prb.get(17).isEmpty()) {
            condition.setOnset(new org.hl7.fhir.r4.model.StringType(prb.get(17)));
        }
        ctx.dateTime(prb, 9).ifPresent(condition::setAbatement);
        var recorded = ctx.dateTime(prb, 7);
        if (recorded.isEmpty()) {
            recorded = ctx.dateTime(prb, 2);
        }
        recorded.ifPresent(condition::setRecordedDateElement);
        String action = prb.get(1).toUpperCase(Locale.ROOT);
        String confirmation = prb.get(13).toUpperCase(Locale.ROOT);
        if ("DE".equals(action) || "E".equals(confirmation)) {
            condition.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode("entered-in-error");
            return condition;
        }
        String clinical = condition.hasAbatement() ? "resolved" : switch (prb.get(14).toUpperCase(Locale.ROOT)) {
            case "I" -> "inactive";
            case "R" -> "resolved";
            case "RE" -> "recurrence";
            default -> "active";
        };
        condition.getClinicalStatus().addCoding().setSystem(CLINICAL).setCode(clinical);
        String verification = switch (confirmation) {
            case "C" -> "confirmed";
            case "P" -> "provisional";
            case "D" -> "differential";
            case "R" -> "refuted";
            case "U" -> "unconfirmed";
            default -> null;
        };
        if (verification != null) {
            condition.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode(verification);
        }
        return condition;
    }
}
