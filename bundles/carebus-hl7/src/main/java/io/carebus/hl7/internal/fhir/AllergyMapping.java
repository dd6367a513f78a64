package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;

/**
 * AL1 and IAM to AllergyIntolerance (IG "AL1[AllergyIntolerance]", "IAM[AllergyIntolerance]"): allergen, its type
 * (table 0127 → category), severity (table 0128 → reaction severity, SV → criticality high), reactions, onset.
 */
final class AllergyMapping {

    static final String CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    static final String VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";

    private AllergyMapping() {
    }

    static AllergyIntolerance fromAl1(V2Segment al1, MappingContext ctx) {
        AllergyIntolerance allergy = common(al1, ctx);
        if (allergy == null) {
            return null;
        }
        Identifier id = ctx.derivedForPatient("allergy", allergenKey(allergy.getCode()));
        if (id != null) {
            allergy.addIdentifier(id);
        }
        allergy.getClinicalStatus().addCoding().setSystem(CLINICAL).setCode("active");
        for (int rep = 0; rep < al1.repetitions(5); rep++) {
            String reaction = al1.get(5, rep, 1, 1);
            if (!reaction.isEmpty()) {
                reaction(allergy, al1).addManifestation().setText(reaction);
            }
        }
        ctx.date(al1, 6).ifPresent(d -> allergy.setOnset(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        return allergy;
    }

    static AllergyIntolerance fromIam(V2Segment iam, MappingContext ctx) {
        AllergyIntolerance allergy = common(iam, ctx);
        if (allergy == null) {
            return null;
        }
        Identifier id = V2Types.ei(iam, 7, ctx.facility, "FILL");
        if (id != null) {
            id.setType(null);
        } else {
            id = ctx.derivedForPatient("allergy", allergenKey(allergy.getCode()));
        }
        if (id != null) {
            allergy.addIdentifier(id);
        }
        String status = iam.get(17).toUpperCase(Locale.ROOT);
        if ("D".equalsIgnoreCase(iam.get(6)) || "E".equals(status)) {
            allergy.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode("entered-in-error");
        } else {
            allergy.getClinicalStatus().addCoding().setSystem(CLINICAL).setCode("I".equals(status) ? "inactive" : "active");
            String verification = switch (status) {
                case "C" -> "confirmed";
                case "U", "P", "S", "D" -> "unconfirmed";
                default -> null;
            };
            if (verification != null) {
                allergy.getVerificationStatus().addCoding().setSystem(VERIFICATION).setCode(verification);
            }
        }
        for (int rep = 0; rep < iam.repetitions(5); rep++) {
            CodeableConcept manifestation = V2Types.concept(iam, 5, rep);
            if (!manifestation.isEmpty()) {
                reaction(allergy, iam).addManifestation(manifestation);
            }
        }
        ctx.date(iam, 11).ifPresent(d -> allergy.setOnset(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        if (!allergy.hasOnset() && !iam.get(12).isEmpty()) {
            allergy.setOnset(new org.hl7.fhir.r4.model.StringType(iam.get(12)));
        }
        ctx.dateTime(iam, 13).ifPresent(allergy::setRecordedDateElement);
        return allergy;
    }

    private static AllergyIntolerance common(V2Segment s, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(s, 3, 0);
        if (ctx.subject == null || code.isEmpty()) {
            return null;
        }
        AllergyIntolerance allergy = new AllergyIntolerance().setPatient(ctx.subject).setCode(code);
        String type = s.get(2).toUpperCase(Locale.ROOT);
        switch (type) {
            case "DA", "MC" -> allergy.addCategory(AllergyIntolerance.AllergyIntoleranceCategory.MEDICATION);
            case "FA" -> allergy.addCategory(AllergyIntolerance.AllergyIntoleranceCategory.FOOD);
            case "EA", "AA", "PA", "LA" -> allergy.addCategory(AllergyIntolerance.AllergyIntoleranceCategory.ENVIRONMENT);
            default -> { }
        }
        if (type.endsWith("A") && !type.isEmpty()) {
            allergy.setType(AllergyIntolerance.AllergyIntoleranceType.ALLERGY);
        } else if ("DI".equals(type) || "FI".equals(type)) {
            allergy.setType(AllergyIntolerance.AllergyIntoleranceType.INTOLERANCE);
        }
        if ("SV".equalsIgnoreCase(s.get(4))) {
            allergy.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        } else if ("MI".equalsIgnoreCase(s.get(4)) || "MO".equalsIgnoreCase(s.get(4))) {
            allergy.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
        }
        return allergy;
    }

    /** The one reaction entry the segment's reactions go into, with severity from field 4. */
    private static AllergyIntolerance.AllergyIntoleranceReactionComponent reaction(AllergyIntolerance allergy, V2Segment s) {
        if (allergy.hasReaction()) {
            return allergy.getReactionFirstRep();
        }
        AllergyIntolerance.AllergyIntoleranceReactionComponent reaction = allergy.addReaction();
        switch (s.get(4).toUpperCase(Locale.ROOT)) {
            case "SV" -> reaction.setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.SEVERE);
            case "MO" -> reaction.setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MODERATE);
            case "MI" -> reaction.setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MILD);
            default -> { }
        }
        return reaction;
    }

    private static String allergenKey(CodeableConcept code) {
        return code.getCodingFirstRep().getCode() != null ? code.getCodingFirstRep().getCode() : code.getText();
    }
}
