package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * IN1 (+ IN2) to Coverage and the payor Organization (IG "IN1[Coverage]", "IN1[Organization]"): the insurer from
 * IN1-3/IN1-4, policy number IN1-36 as identifier, plan IN1-2 and group IN1-8/9 as classes, IN1-12/13 as period
 * (as dates: senders put times and zones in these DT fields), IN1-17 as the beneficiary's relationship.
 */
final class CoverageMapping {

    private CoverageMapping() {
    }

    static Coverage fromIn1(V2Segment in1, MappingContext ctx) {
        if (ctx.subject == null) {
            return null;
        }
        Coverage coverage = new Coverage().setStatus(Coverage.CoverageStatus.ACTIVE).setBeneficiary(ctx.subject);
        String companyId = in1.get(3);
        String companyName = in1.get(4);
        Reference payor;
        if (!companyId.isEmpty() || !companyName.isEmpty()) {
            String system = V2Types.system(in1.get(3, 0, 4, 1), in1.get(3, 0, 4, 2), in1.get(3, 0, 4, 3));
            payor = ctx.people.organization(companyName, companyId, system);
        } else {
            payor = new Reference().setDisplay("unknown payor (IN1-3 and IN1-4 empty)");
        }
        coverage.addPayor(payor);
        String policy = in1.get(36);
        String insurer = !companyId.isEmpty() ? companyId : !companyName.isEmpty() ? companyName : ctx.facility;
        if (!policy.isEmpty()) {
            Identifier id = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(insurer) + ":policy").setValue(policy);
            id.getType().addCoding().setSystem(V2Codes.V2_0203).setCode("SN");
            coverage.addIdentifier(id);
        } else {
            Identifier id = ctx.derivedForPatient("coverage", insurer, in1.get(2), in1.get(8));
            if (id != null) {
                coverage.addIdentifier(id);
            }
        }
        String member = in1.get(49);
        coverage.setSubscriberId(!member.isEmpty() ? member : policy.isEmpty() ? null : policy);
        if (!in1.get(2).isEmpty()) {
            coverage.addClass_().setValue(in1.get(2)).setName(emptyToNull(in1.get(2, 2)))
                    .getType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/coverage-class").setCode("plan");
        }
        if (!in1.get(8).isEmpty()) {
            coverage.addClass_().setValue(in1.get(8)).setName(emptyToNull(in1.get(9)))
                    .getType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/coverage-class").setCode("group");
        }
        if (!in1.get(15).isEmpty()) {
            coverage.getType().addCoding().setSystem(V2Codes.tableSystem("0086", in1.get(15))).setCode(in1.get(15));
        }
        ctx.date(in1, 12).ifPresent(d -> coverage.getPeriod().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        ctx.date(in1, 13).ifPresent(d -> coverage.getPeriod().setEndElement(new org.hl7.fhir.r4.model.DateTimeType(d.getValueAsString())));
        if (coverage.getPeriod().hasStart() && coverage.getPeriod().hasEnd()
                && coverage.getPeriod().getEnd().before(coverage.getPeriod().getStart())) {
            ctx.warn("IN1-13", "plan expiration before plan effective date", in1.get(13).length());
            coverage.getPeriod().setEndElement(null);
        }
        String relationship = switch (in1.get(17).toUpperCase(Locale.ROOT)) {
            case "SEL", "01", "18" -> "self";
            case "SPO", "02", "DOM" -> "spouse";
            case "CHD", "03", "19" -> "child";
            case "PAR", "FTH", "MTH" -> "parent";
            case "" -> null;
            default -> "other";
        };
        if (relationship != null) {
            coverage.getRelationship().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/subscriber-relationship").setCode(relationship);
        }
        if (in1.get(22).matches("[1-9]\\d{0,3}")) {
            coverage.setOrder(Integer.parseInt(in1.get(22)));
        }
        return coverage;
    }

    /** IN2-61 (patient member number) when IN1 gave no member id (IN1-49), only the policy number. */
    static void addIn2(V2Segment in2, Coverage coverage) {
        String member = in2.get(61);
        boolean onlyPolicy = !coverage.hasSubscriberId() || coverage.getIdentifier().stream()
                .anyMatch(i -> i.getValue().equals(coverage.getSubscriberId()));
        if (!member.isEmpty() && onlyPolicy) {
            coverage.setSubscriberId(member);
        }
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
