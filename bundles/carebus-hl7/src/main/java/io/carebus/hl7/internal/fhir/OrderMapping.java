package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Timing;

/**
 * ORC + OBR to ServiceRequest (IG "ORC[ServiceRequest]", "OBR[ServiceRequest]"), TQ1 to its timing and priority, and
 * RF1 (+ PRD) to a referral ServiceRequest. Placer (ORC-2, else OBR-2) and filler (ORC-3, else OBR-3) numbers are the
 * identifiers; the placer number, which the ordering system keeps through the order's life, is the conditional one.
 */
final class OrderMapping {

    private OrderMapping() {
    }

    /** Null when there is no patient (a ServiceRequest needs a subject). {@code orc} or {@code obr} may be null. */
    static ServiceRequest fromOrcObr(V2Segment orc, V2Segment obr, MappingContext ctx) {
        if (ctx.subject == null || (orc == null && obr == null)) {
            return null;
        }
        ServiceRequest request = new ServiceRequest().setIntent(ServiceRequest.ServiceRequestIntent.ORDER).setSubject(ctx.subject);
        Identifier placer = orderNumber(orc, obr, 2, "PLAC", ctx);
        Identifier filler = orderNumber(orc, obr, 3, "FILL", ctx);
        if (placer != null) {
            request.addIdentifier(placer);
        }
        if (filler != null) {
            request.addIdentifier(filler);
        }
        if (placer == null && filler == null) {
            Identifier derived = ctx.derived("order", obr == null ? "" : obr.get(4), obr == null ? "" : obr.get(1),
                    orc == null ? "" : orc.get(9));
            if (derived != null) {
                request.addIdentifier(derived);
            }
        }
        request.setStatus(ServiceRequest.ServiceRequestStatus.fromCode(status(orc, obr)));
        if (ctx.encounter != null) {
            request.setEncounter(ctx.encounter);
        }
        if (obr != null) {
            request.setCode(V2Types.concept(obr, 4, 0));
            if (request.getCode().isEmpty()) {
                request.setCode(null);
            }
        }
        if (orc != null) {
            ctx.dateTime(orc, 9).ifPresent(request::setAuthoredOnElement);
        }
        Reference requester = orc == null ? null : ctx.people.practitioner(orc, 12, 0);
        if (requester == null && obr != null) {
            requester = ctx.people.practitioner(obr, 16, 0);
        }
        if (requester != null) {
            request.setRequester(requester);
        }
        if (obr != null) {
            var start = ctx.dateTime(obr, 27, 0, 4);
            if (start.isEmpty()) {
                start = ctx.dateTime(obr, 6);
            }
            start.ifPresent(request::setOccurrence);
            String priority = obr.get(27, 0, 6, 1).isEmpty() ? obr.get(5) : obr.get(27, 0, 6, 1);
            priority(request, priority);
            for (int rep = 0; rep < obr.repetitions(31); rep++) {
                var reason = V2Types.concept(obr, 31, rep);
                if (!reason.isEmpty()) {
                    request.addReasonCode(reason);
                }
            }
            if (!obr.get(13).isEmpty()) {
                request.addNote().setText(obr.get(13));
            }
        }
        if (orc != null && !request.hasPriority()) {
            priority(request, orc.get(7, 0, 6, 1));
        }
        return request;
    }

    /**
     * TQ1: start/end (TQ1-7/8) as the occurrence, TQ1-9 as the priority. With explicit times of day (TQ1-4, IG
     * "TQ1[Timing]": {@code repeat.timeOfDay}) the occurrence is a Timing, bounded by TQ1-7/8.
     */
    static void addTq1(V2Segment tq1, ServiceRequest request, MappingContext ctx) {
        var start = ctx.dateTime(tq1, 7);
        var end = ctx.dateTime(tq1, 8);
        Timing timing = timing(tq1, ctx);
        if (timing != null) {
            request.setOccurrence(timing);
        } else if (end.isPresent() && start.isPresent()) {
            request.setOccurrence(new Period().setStartElement(start.get()).setEndElement(end.get()));
        } else {
            start.ifPresent(request::setOccurrence);
        }
        if (!request.hasPriority()) {
            priority(request, tq1.get(9));
        }
    }

    /** TQ1 of a pharmacy order (RDE, OMP): its times of day and start/end as the first dosage instruction's timing. */
    static void addTq1(V2Segment tq1, org.hl7.fhir.r4.model.MedicationRequest request, MappingContext ctx) {
        Timing timing = timing(tq1, ctx);
        if (timing == null) {
            var start = ctx.dateTime(tq1, 7);
            var end = ctx.dateTime(tq1, 8);
            if (start.isEmpty() && end.isEmpty()) {
                return;
            }
            timing = new Timing();
            Period bounds = new Period();
            start.ifPresent(bounds::setStartElement);
            end.ifPresent(bounds::setEndElement);
            timing.getRepeat().setBounds(bounds);
        }
        org.hl7.fhir.r4.model.Dosage dosage = request.hasDosageInstruction() ? request.getDosageInstructionFirstRep()
                : request.addDosageInstruction();
        dosage.setTiming(timing);
    }

    /** TQ1-4 (explicit times, TM, repeating) as a Timing bounded by TQ1-7/8; null when TQ1-4 holds no valid time. */
    private static Timing timing(V2Segment tq1, MappingContext ctx) {
        Timing timing = new Timing();
        for (int rep = 0; rep < tq1.repetitions(4); rep++) {
            String value = tq1.get(4, rep, 1, 1);
            if (value.isEmpty()) {
                continue;
            }
            var time = V2DateTimes.toFhirTime(value);
            if (time.isPresent()) {
                timing.getRepeat().addTimeOfDay(time.get());
            } else {
                ctx.warn(MappingContext.place(tq1, 4), "not a valid time (TM)", value.length());
            }
        }
        if (!timing.getRepeat().hasTimeOfDay()) {
            return null;
        }
        var start = ctx.dateTime(tq1, 7);
        var end = ctx.dateTime(tq1, 8);
        if (start.isPresent() || end.isPresent()) {
            Period bounds = new Period();
            start.ifPresent(bounds::setStartElement);
            end.ifPresent(bounds::setEndElement);
            timing.getRepeat().setBounds(bounds);
        }
        return timing;
    }

    /** RF1: a referral (category SNOMED CT 3457005), status and priority from RF1-1/2, reasons from RF1-10. */
    static ServiceRequest referral(V2Segment rf1, MappingContext ctx) {
        ServiceRequest request = new ServiceRequest().setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        request.addCategory().addCoding().setSystem(V2Codes.SNOMED).setCode("3457005").setDisplay("Patient referral");
        Identifier id = V2Types.ei(rf1, 6, ctx.facility, "PLAC");
        if (id == null) {
            id = V2Types.ei(rf1, 11, ctx.facility, "FILL");
        }
        if (id != null) {
            request.addIdentifier(id);
        }
        request.setStatus(ServiceRequest.ServiceRequestStatus.fromCode(switch (rf1.get(1).toUpperCase(Locale.ROOT)) {
            case "A" -> "active";
            case "P" -> "draft";
            case "R" -> "revoked";
            case "E" -> "completed";
            default -> "active";
        }));
        priority(request, rf1.get(2));
        if (!rf1.get(3).isEmpty()) {
            request.setCode(V2Types.concept(rf1, 3, 0, "HL70281", null));
        }
        ctx.dateTime(rf1, 7).ifPresent(request::setAuthoredOnElement);
        for (int rep = 0; rep < rf1.repetitions(10); rep++) {
            var reason = V2Types.concept(rf1, 10, rep);
            if (!reason.isEmpty()) {
                request.addReasonCode(reason);
            }
        }
        return request;
    }

    private static Identifier orderNumber(V2Segment orc, V2Segment obr, int field, String type, MappingContext ctx) {
        Identifier id = orc == null ? null : V2Types.ei(orc, field, ctx.facility, type);
        return id != null || obr == null ? id : V2Types.ei(obr, field, ctx.facility, type);
    }

    /** ORC-5 (table 0038), else ORC-1 (table 0119), else OBR-25 for results; else active. */
    static String status(V2Segment orc, V2Segment obr) {
        String orderStatus = orc == null ? "" : orc.get(5).toUpperCase(Locale.ROOT);
        switch (orderStatus) {
            case "CM" -> { return "completed"; }
            case "CA", "DC" -> { return "revoked"; }
            case "HD" -> { return "on-hold"; }
            case "ER" -> { return "entered-in-error"; }
            case "IP", "SC", "A" -> { return "active"; }
            default -> { }
        }
        String control = orc == null ? "" : orc.get(1).toUpperCase(Locale.ROOT);
        switch (control) {
            case "CA", "OC", "CR", "DC", "OD", "DR" -> { return "revoked"; }
            case "HD", "OH", "HR" -> { return "on-hold"; }
            default -> { }
        }
        String result = obr == null ? "" : obr.get(25).toUpperCase(Locale.ROOT);
        return switch (result) {
            case "F", "C" -> "completed";
            case "X" -> "revoked";
            default -> "active";
        };
    }

    private static void priority(ServiceRequest request, String code) {
        switch (code.toUpperCase(Locale.ROOT)) {
            case "S" -> request.setPriority(ServiceRequest.ServiceRequestPriority.STAT);
            case "A" -> request.setPriority(ServiceRequest.ServiceRequestPriority.ASAP);
            case "R" -> request.setPriority(ServiceRequest.ServiceRequestPriority.ROUTINE);
            case "P", "T", "C" -> request.setPriority(ServiceRequest.ServiceRequestPriority.URGENT);
            default -> { }
        }
    }
}
