package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * RXA in a VXU to Immunization (IG "RXA[Immunization]"): vaccine RXA-5 (CVX), time RXA-3, dose RXA-6/7 (999 =
 * unknown), new record or historical (RXA-9 00/01 → primarySource), administering provider RXA-10, lot and expiry
 * RXA-15/16, manufacturer RXA-17 (MVX) as Organization, refusal RXA-18, completion RXA-20, action RXA-21.
 */
final class ImmunizationMapping {

    static final String CVX = "http://hl7.org/fhir/sid/cvx";

    private ImmunizationMapping() {
    }

    static Immunization fromRxa(V2Segment rxa, V2Segment orc, MappingContext ctx) {
        CodeableConcept vaccine = V2Types.concept(rxa, 5, 0, "CVX", null);
        if (ctx.subject == null || vaccine.isEmpty()) {
            return null;
        }
        Immunization immunization = new Immunization().setPatient(ctx.subject).setVaccineCode(vaccine);
        String completion = rxa.get(20).toUpperCase(Locale.ROOT);
        immunization.setStatus("D".equalsIgnoreCase(rxa.get(21)) ? Immunization.ImmunizationStatus.ENTEREDINERROR
                : "RE".equals(completion) || "NA".equals(completion) ? Immunization.ImmunizationStatus.NOTDONE
                : Immunization.ImmunizationStatus.COMPLETED);
        var when = ctx.dateTime(rxa, 3);
        if (when.isPresent()) {
            immunization.setOccurrence(when.get());
        } else {
            // occurrence is required: the time as sent is no FHIR dateTime, so the record says so instead of guessing
            immunization.setOccurrence(new StringType("unknown (RXA-3 empty or not a date/time)"));
        }
        Identifier filler = orc == null ? null : V2Types.ei(orc, 3, ctx.facility, "FILL");
        Identifier placer = orc == null ? null : V2Types.ei(orc, 2, ctx.facility, "PLAC");
        if (filler != null) {
            immunization.addIdentifier(filler);
        }
        if (placer != null) {
            immunization.addIdentifier(placer);
        }
        if (filler == null && placer == null) {
            Identifier derived = ctx.derivedForPatient("imm", vaccine.getCodingFirstRep().getCode(), rxa.get(3));
            if (derived != null) {
                immunization.addIdentifier(derived);
            }
        }
        if (ctx.encounter != null) {
            immunization.setEncounter(ctx.encounter);
        }
        String origin = rxa.get(9);
        if ("00".equals(origin)) {
            immunization.setPrimarySource(true);
        } else if (origin.matches("0[1-8]")) {
            immunization.setPrimarySource(false);
        }
        ctx.decimal(rxa, 6).filter(v -> v.compareTo(new java.math.BigDecimal("999")) != 0).ifPresent(v -> {
            immunization.getDoseQuantity().setValue(v);
            String unit = rxa.get(7);
            if (!unit.isEmpty()) {
                immunization.getDoseQuantity().setUnit(unit);
                String ucum = V2Codes.ucum(unit, rxa.get(7, 3));
                if (ucum != null) {
                    immunization.getDoseQuantity().setSystem(V2Codes.UCUM).setCode(ucum);
                }
            }
        });
        for (Reference who : ctx.people.practitioners(rxa, 10)) {
            immunization.addPerformer().setActor(who).getFunction().addCoding()
                    .setSystem("http://terminology.hl7.org/CodeSystem/v2-0443").setCode("AP").setDisplay("Administering Provider");
        }
        if (!rxa.get(15).isEmpty()) {
            immunization.setLotNumber(rxa.get(15));
        }
        ctx.date(rxa, 16).ifPresent(immunization::setExpirationDateElement);
        if (!rxa.get(17).isEmpty() || !rxa.get(17, 2).isEmpty()) {
            String system = "MVX".equalsIgnoreCase(rxa.get(17, 3)) ? "http://hl7.org/fhir/sid/mvx" : null;
            immunization.setManufacturer(ctx.people.organization(rxa.get(17, 2), rxa.get(17), system));
        }
        if (!rxa.get(18).isEmpty() && immunization.getStatus() == Immunization.ImmunizationStatus.NOTDONE) {
            immunization.setStatusReason(V2Types.concept(rxa, 18, 0));
        }
        for (int rep = 0; rep < rxa.repetitions(19); rep++) {
            CodeableConcept reason = V2Types.concept(rxa, 19, rep);
            if (!reason.isEmpty()) {
                immunization.addReasonCode(reason);
            }
        }
        ctx.dateTime(rxa, 22).ifPresent(immunization::setRecordedElement);
        return immunization;
    }
}
