package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * FT1 to ChargeItem (IG "FT1[ChargeItem]"): transaction id FT1-2, code FT1-7 (else the procedure FT1-25), date FT1-4,
 * posting date FT1-5, quantity FT1-10, extended amount FT1-11 as price override, diagnoses FT1-19, performer FT1-20,
 * enterer FT1-24; a credit or adjustment (FT1-6 CD, AJ) is not billable.
 */
final class ChargeItemMapping {

    private ChargeItemMapping() {
    }

    static ChargeItem fromFt1(V2Segment ft1, MappingContext ctx) {
        CodeableConcept code = V2Types.concept(ft1, 7, 0);
        if (code.isEmpty()) {
            code = V2Types.concept(ft1, 25, 0);
        }
        if (code.isEmpty() && !ft1.get(8).isEmpty()) {
            code = new CodeableConcept().setText(ft1.get(8));
        }
        if (ctx.subject == null || code.isEmpty()) {
            return null;
        }
        String type = ft1.get(6).toUpperCase(Locale.ROOT);
        ChargeItem charge = new ChargeItem().setCode(code).setSubject(ctx.subject)
                .setStatus("CD".equals(type) || "AJ".equals(type) || "PY".equals(type)
                        ? ChargeItem.ChargeItemStatus.NOTBILLABLE : ChargeItem.ChargeItemStatus.BILLABLE);
        Identifier id;
        if (!ft1.get(2).isEmpty()) {
            id = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(ctx.facility) + ":charge").setValue(ft1.get(2));
        } else {
            id = ctx.derived("charge", ft1.get(4), ft1.get(7).isEmpty() ? ft1.get(25) : ft1.get(7), ft1.get(1));
        }
        if (id != null) {
            charge.addIdentifier(id);
        }
        if (ctx.encounter != null) {
            charge.setContext(ctx.encounter);
        }
        ctx.dateTime(ft1, 4, 0, 1).ifPresent(charge::setOccurrence);
        ctx.dateTime(ft1, 5).ifPresent(t -> charge.setEnteredDateElement(t));
        ctx.decimal(ft1, 10).ifPresent(q -> charge.getQuantity().setValue(q));
        ctx.decimal(ft1, 11, 0, 1).ifPresent(amount -> {
            charge.getPriceOverride().setValue(amount);
            String currency = ft1.get(11, 0, 1, 2).toUpperCase(Locale.ROOT);
            if (currency.matches("[A-Z]{3}")) {
                charge.getPriceOverride().setCurrency(currency);
            }
        });
        for (int rep = 0; rep < ft1.repetitions(19); rep++) {
            CodeableConcept reason = V2Types.concept(ft1, 19, rep);
            if (!reason.isEmpty()) {
                charge.addReason(reason);
            }
        }
        for (Reference who : ctx.people.practitioners(ft1, 20)) {
            charge.addPerformer().setActor(who);
        }
        Reference enterer = ctx.people.practitioner(ft1, 24, 0);
        if (enterer != null) {
            charge.setEnterer(enterer);
        }
        return charge;
    }
}
