package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Pharmacy segments (IG "RXO[MedicationRequest]", "RXE[MedicationRequest]", "RXD[MedicationDispense]",
 * "RXA[MedicationAdministration]", "RXE[Medication]", "RXR[...]"): the drug is a Medication resource (one per code per
 * Bundle), the order a MedicationRequest (identified like a ServiceRequest, by ORC-2/ORC-3), a dispense a
 * MedicationDispense, an administration (RAS) a MedicationAdministration. RXG (a give instruction of an order) is a
 * MedicationRequest of intent instance-order based on the order.
 */
final class MedicationMapping {

    private MedicationMapping() {
    }

    /** The Medication for a drug code, once per Bundle. Null when the field is empty. */
    static Reference medication(V2Segment s, int codeField, int formField, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(s, codeField, 0);
        if (code.isEmpty()) {
            return null;
        }
        Medication medication = new Medication().setCode(code);
        if (formField > 0 && !s.get(formField).isEmpty()) {
            medication.setForm(V2Types.concept(s, formField, 0));
        }
        String key = code.getCodingFirstRep().getCode() != null
                ? (code.getCodingFirstRep().getSystem() == null ? "" : code.getCodingFirstRep().getSystem() + "|") + code.getCodingFirstRep().getCode()
                : code.getText();
        Identifier id = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(ctx.facility) + ":medication")
                .setValue(V2Types.uriSafe(key));
        medication.addIdentifier(id);
        Reference reference = ctx.bundle.shared(id.getValue(), medication, id);
        String display = code.getCodingFirstRep().getDisplay() != null ? code.getCodingFirstRep().getDisplay() : code.getText();
        return display == null ? reference : reference.setDisplay(display);
    }

    /**
     * The Medication of a compound order (an IV mix) whose RXO-1/RXE-2 names no drug: its RXC components make it, so
     * it is the order's own, identified by the order number (else derived from the visit or patient and the order's
     * time). Null when nothing identifies it.
     */
    static Reference compound(V2Segment rx, V2Segment orc, MappingContext ctx) {
        String number = orc == null ? "" : !orc.get(2).isEmpty() ? orc.get(2) : orc.get(3);
        Identifier id;
        if (!number.isEmpty()) {
            id = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(ctx.facility) + ":medication")
                    .setValue("compound-" + V2Types.uriSafe(number));
        } else {
            id = ctx.derived("compound", "RXE".equals(rx.name()) ? rx.get(15) : "", orc == null ? "" : orc.get(9), "1");
        }
        if (id == null) {
            return null;
        }
        Medication medication = new Medication();
        medication.getCode().setText("compound (see ingredients)");
        medication.addIdentifier(id);
        return ctx.bundle.shared(id.getValue(), medication, id);
    }

    /**
     * RXC (IG "RXC[Medication]"): a component of a compound order as an ingredient of the order's Medication: RXC-2
     * the item, RXC-3/RXC-4 its amount as the strength's numerator per one unit of the compound (denominator 1), RXC-1
     * A (additive) active, B (base, the diluent) not. The same component twice is kept once.
     */
    static void addComponent(V2Segment rxc, Medication medication, MappingContext ctx) {
        CodeableConcept item = V2Types.concept(rxc, 2, 0);
        if (item.isEmpty()) {
            ctx.warn("RXC-2", "component without a code left out", 0);
            return;
        }
        Medication.MedicationIngredientComponent ingredient = new Medication.MedicationIngredientComponent().setItem(item);
        switch (rxc.get(1).toUpperCase(Locale.ROOT)) {
            case "A" -> ingredient.setIsActive(true);
            case "B" -> ingredient.setIsActive(false);
            default -> { }
        }
        ctx.decimal(rxc, 3).ifPresent(amount -> ingredient.setStrength(new org.hl7.fhir.r4.model.Ratio()
                .setNumerator(quantity(amount, rxc, 4))
                .setDenominator(new Quantity().setValue(1).setSystem(V2Codes.UCUM).setCode("1"))));
        if (medication.getIngredient().stream().noneMatch(existing -> existing.equalsDeep(ingredient))) {
            medication.addIngredient(ingredient);
        }
    }

    /** RXO or RXE (+ the ORC before it): the order. Null without a drug or a patient. */
    static MedicationRequest request(V2Segment rx, V2Segment orc, MappingContext ctx) {
        return request(rx, orc, false, ctx);
    }

    /** @param compound RXC components follow: without a drug code the order's Medication is made of them */
    static MedicationRequest request(V2Segment rx, V2Segment orc, boolean compound, MappingContext ctx) {
        boolean encoded = "RXE".equals(rx.name());
        int code = encoded ? 2 : 1;
        Reference medication = medication(rx, code, encoded ? 6 : 5, ctx);
        if (medication == null && compound && ctx.subject != null) {
            medication = compound(rx, orc, ctx);
        }
        if (medication == null || ctx.subject == null) {
            return null;
        }
        MedicationRequest request = new MedicationRequest().setIntent(MedicationRequest.MedicationRequestIntent.ORDER)
                .setSubject(ctx.subject).setMedication(medication);
        request.setStatus(MedicationRequest.MedicationRequestStatus.fromCode(switch (OrderMapping.status(orc, null)) {
            case "revoked" -> "cancelled";
            case "on-hold" -> "on-hold";
            case "completed" -> "completed";
            case "entered-in-error" -> "entered-in-error";
            default -> "active";
        }));
        identifiers(request, orc, encoded ? rx.get(15) : "", ctx);
        if (request.getIdentifier().isEmpty()) {
            Identifier derived = ctx.derived("rx", rx.get(code), orc == null ? "" : orc.get(9));
            if (derived != null) {
                request.addIdentifier(derived);
            }
        }
        if (ctx.encounter != null) {
            request.setEncounter(ctx.encounter);
        }
        if (orc != null) {
            ctx.dateTime(orc, 9).ifPresent(request::setAuthoredOnElement);
            Reference requester = ctx.people.practitioner(orc, 12, 0);
            if (requester != null) {
                request.setRequester(requester);
            }
        }
        Dosage dosage = new Dosage();
        int amount = encoded ? 3 : 2;
        int units = encoded ? 5 : 4;
        ctx.decimal(rx, amount).ifPresent(v -> dosage.addDoseAndRate().setDose(quantity(v, rx, units)));
        String instructions = encoded ? rx.get(7, 2).isEmpty() ? rx.get(7) : rx.get(7, 2) : rx.get(7, 2).isEmpty() ? rx.get(7) : rx.get(7, 2);
        if (!instructions.isEmpty()) {
            dosage.setText(instructions);
        }
        if (!dosage.isEmpty()) {
            request.addDosageInstruction(dosage);
        }
        int dispense = encoded ? 10 : 11;
        ctx.decimal(rx, dispense).ifPresent(v -> request.getDispenseRequest().setQuantity(quantity(v, rx, dispense + 1)));
        String refills = rx.get(encoded ? 12 : 13);
        if (refills.matches("\\d{1,6}")) {
            request.getDispenseRequest().setNumberOfRepeatsAllowed(Integer.parseInt(refills));
        }
        String substitution = rx.get(encoded ? 9 : 9).toUpperCase(Locale.ROOT);
        if ("N".equals(substitution) || "G".equals(substitution) || "T".equals(substitution)) {
            request.getSubstitution().setAllowed(new org.hl7.fhir.r4.model.BooleanType(!"N".equals(substitution)));
        }
        return request;
    }

    /** RXG: one give of an order. */
    static MedicationRequest give(V2Segment rxg, Reference order, V2Segment orc, MappingContext ctx) {
        Reference medication = medication(rxg, 4, 8, ctx);
        if (medication == null || ctx.subject == null) {
            return null;
        }
        MedicationRequest give = new MedicationRequest().setIntent(MedicationRequest.MedicationRequestIntent.INSTANCEORDER)
                .setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE).setSubject(ctx.subject).setMedication(medication);
        if (order != null) {
            give.addBasedOn(order);
        }
        String orderKey = orc == null ? "" : orc.get(2).isEmpty() ? orc.get(3) : orc.get(2);
        Identifier id = ctx.derived("give", orderKey, rxg.get(1), rxg.get(2));
        if (id != null) {
            give.addIdentifier(id);
        }
        Dosage dosage = new Dosage();
        ctx.decimal(rxg, 5).ifPresent(v -> dosage.addDoseAndRate().setDose(quantity(v, rxg, 7)));
        if (!dosage.isEmpty()) {
            give.addDosageInstruction(dosage);
        }
        return give;
    }

    /** RXD: a dispense, authorized by the order. */
    static MedicationDispense dispense(V2Segment rxd, Reference order, V2Segment orc, MappingContext ctx) {
        Reference medication = medication(rxd, 2, 6, ctx);
        if (medication == null) {
            return null;
        }
        MedicationDispense dispense = new MedicationDispense().setStatus(MedicationDispense.MedicationDispenseStatus.COMPLETED)
                .setMedication(medication);
        if (ctx.subject != null) {
            dispense.setSubject(ctx.subject);
        }
        if (order != null) {
            dispense.addAuthorizingPrescription(order);
        }
        String prescription = !rxd.get(7).isEmpty() ? rxd.get(7) : orc == null ? "" : orc.get(2).isEmpty() ? orc.get(3) : orc.get(2);
        Identifier id = ctx.derived("dispense", prescription, rxd.get(1), rxd.get(3));
        if (id != null) {
            dispense.addIdentifier(id);
        }
        ctx.dateTime(rxd, 3).ifPresent(dispense::setWhenHandedOverElement);
        ctx.decimal(rxd, 4).ifPresent(v -> dispense.setQuantity(quantity(v, rxd, 5)));
        for (Reference who : ctx.people.practitioners(rxd, 10)) {
            dispense.addPerformer().setActor(who);
        }
        return dispense;
    }

    /** RXA in a pharmacy message: an administration. Null without drug, patient or a valid time (FHIR needs all three). */
    static MedicationAdministration administration(V2Segment rxa, Reference order, V2Segment orc, MappingContext ctx) {
        Reference medication = medication(rxa, 5, 0, ctx);
        var start = ctx.dateTime(rxa, 3);
        if (medication == null || ctx.subject == null) {
            return null;
        }
        if (start.isEmpty()) {
            ctx.warn("RXA-3", "administration left out: it has no valid start time, which FHIR requires", rxa.get(3).length());
            return null;
        }
        MedicationAdministration admin = new MedicationAdministration().setMedication(medication).setSubject(ctx.subject);
        var end = ctx.dateTime(rxa, 4);
        if (end.isPresent() && !end.get().getValueAsString().equals(start.get().getValueAsString())) {
            admin.setEffective(new org.hl7.fhir.r4.model.Period().setStartElement(start.get()).setEndElement(end.get()));
        } else {
            admin.setEffective(start.get());
        }
        admin.setStatus(MedicationAdministration.MedicationAdministrationStatus.fromCode(
                "D".equalsIgnoreCase(rxa.get(21)) ? "entered-in-error" : switch (rxa.get(20).toUpperCase(Locale.ROOT)) {
                    case "RE", "NA" -> "not-done";
                    case "PA" -> "stopped";
                    default -> "completed";
                }));
        if (order != null) {
            admin.setRequest(order);
        }
        if (ctx.encounter != null) {
            admin.setContext(ctx.encounter);
        }
        String orderKey = orc == null ? "" : orc.get(2).isEmpty() ? orc.get(3) : orc.get(2);
        Identifier id = ctx.derived("admin", orderKey, rxa.get(1), rxa.get(2), rxa.get(3));
        if (id != null) {
            admin.addIdentifier(id);
        }
        ctx.decimal(rxa, 6).filter(v -> v.compareTo(new java.math.BigDecimal("999")) != 0)
                .ifPresent(v -> admin.getDosage().setDose(quantity(v, rxa, 7)));
        for (Reference who : ctx.people.practitioners(rxa, 10)) {
            admin.addPerformer().setActor(who);
        }
        return admin;
    }

    /** RXR: route and site of the order, dispense or administration before it. */
    static void addRoute(V2Segment rxr, org.hl7.fhir.r4.model.Resource target) {
        CodeableConcept route = rxr.get(1).isEmpty() ? null : V2Types.concept(rxr, 1, 0, "HL70162", null);
        CodeableConcept site = rxr.get(2).isEmpty() ? null : V2Types.concept(rxr, 2, 0, "HL70163", null);
        if (target instanceof MedicationRequest request) {
            Dosage dosage = request.hasDosageInstruction() ? request.getDosageInstructionFirstRep() : request.addDosageInstruction();
            dosage.setRoute(route).setSite(site);
        } else if (target instanceof MedicationAdministration admin) {
            admin.getDosage().setRoute(route).setSite(site);
        } else if (target instanceof MedicationDispense dispense) {
            Dosage dosage = dispense.hasDosageInstruction() ? dispense.getDosageInstructionFirstRep() : dispense.addDosageInstruction();
            dosage.setRoute(route).setSite(site);
        } else if (target instanceof org.hl7.fhir.r4.model.Immunization immunization) {
            immunization.setRoute(route).setSite(site);
        }
    }

    static void identifiers(org.hl7.fhir.r4.model.Resource resource, V2Segment orc, String prescriptionNumber, MappingContext ctx) {
        Identifier placer = orc == null ? null : V2Types.ei(orc, 2, ctx.facility, "PLAC");
        Identifier filler = orc == null ? null : V2Types.ei(orc, 3, ctx.facility, "FILL");
        java.util.List<Identifier> ids = new java.util.ArrayList<>();
        if (placer != null) {
            ids.add(placer);
        }
        if (filler != null) {
            ids.add(filler);
        }
        if (!prescriptionNumber.isEmpty()) {
            Identifier rx = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(ctx.facility) + ":prescription")
                    .setValue(prescriptionNumber);
            ids.add(rx);
        }
        if (resource instanceof MedicationRequest r) {
            ids.forEach(r::addIdentifier);
        } else if (resource instanceof ServiceRequest r) {
            ids.forEach(r::addIdentifier);
        }
    }

    private static Quantity quantity(java.math.BigDecimal value, V2Segment s, int unitField) {
        Quantity quantity = new Quantity().setValue(value);
        String unit = s.get(unitField, 0, 1, 1);
        if (!unit.isEmpty()) {
            String text = s.get(unitField, 0, 2, 1);
            quantity.setUnit(text.isEmpty() ? unit : text);
            String ucum = V2Codes.ucum(unit, s.get(unitField, 0, 3, 1));
            if (ucum != null) {
                quantity.setSystem(V2Codes.UCUM).setCode(ucum);
            }
        }
        return quantity;
    }
}
