package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.Account;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/**
 * GT1 to the patient's Account and its guarantors (IG "GT1[Account]", with "PID[Account]" for the account number): one
 * Account per patient per message, identified by PID-18 (patient account number), else derived from the patient;
 * each GT1 adds a guarantor: the RelatedPerson the GT1 also maps to, the Patient when GT1-11 is SEL (self), or the
 * Organization of GT1-21 (a guarantor that is an organization). GT1-13/14 are the guarantor's period.
 */
final class AccountMapping {

    private static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    private AccountMapping() {
    }

    /** The patient's Account, with no guarantor yet. Null without a patient. */
    static Account forPatient(V2Segment pid, MappingContext ctx) {
        if (ctx.subject == null) {
            return null;
        }
        Account account = new Account().setStatus(Account.AccountStatus.ACTIVE);
        account.getType().addCoding().setSystem(ACT_CODE).setCode("PBILLACCT").setDisplay("patient billing account");
        account.addSubject(ctx.subject);
        Identifier number = pid == null ? null : V2Types.cx(pid, 18, 0, ctx.facility);
        if (number != null) {
            number.getType().getCoding().clear();
            number.getType().addCoding().setSystem(V2Codes.V2_0203).setCode("AN");
            account.addIdentifier(number);
        } else {
            Identifier derived = ctx.derivedForPatient("account", "billing");
            if (derived != null) {
                account.addIdentifier(derived);
            }
        }
        return account;
    }

    /**
     * Adds the GT1's guarantor: {@code person} (its RelatedPerson, may be null), else the patient (SEL), else the
     * GT1-21 organization. A GT1 that names none of them adds nothing.
     */
    static void addGuarantor(V2Segment gt1, Reference person, Account account, MappingContext ctx) {
        Reference party = person;
        if (party == null && "SEL".equalsIgnoreCase(gt1.get(11))) {
            party = ctx.subject;
        }
        if (party == null) {
            party = ctx.people.organization(gt1, 21, 0);
        }
        if (party == null) {
            ctx.warn("GT1", "guarantor left out: no name (GT1-3), not the patient (GT1-11) and no organization (GT1-21)", 0);
            return;
        }
        Account.GuarantorComponent guarantor = account.addGuarantor().setParty(party.copy());
        var begin = ctx.date(gt1, 13);
        var end = ctx.date(gt1, 14);
        if (begin.isPresent() || end.isPresent()) {
            Period period = new Period();
            begin.ifPresent(d -> period.setStartElement(new DateTimeType(d.getValueAsString())));
            end.ifPresent(d -> period.setEndElement(new DateTimeType(d.getValueAsString())));
            guarantor.setPeriod(period);
        }
    }
}
