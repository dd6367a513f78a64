package io.carebus.hl7.internal.fhir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Ratio;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.TimeType;
import org.hl7.fhir.r4.model.Type;

/**
 * OBR to DiagnosticReport and OBX to Observation (v2-to-FHIR IG "OBR[DiagnosticReport]", "OBX[Observation]"). The value
 * follows OBX-2; ED (embedded documents, e.g. a PDF report) becomes the report's {@code presentedForm}, since an R4
 * Observation cannot hold an attachment.
 */
final class ResultMapping {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)");
    private static final Pattern RANGE = Pattern.compile("\\s*([+-]?[\\d.]+)\\s*-\\s*([+-]?[\\d.]+)\\s*");
    /** Value types whose OBX-5 has a FHIR type of its own; one that does not parse is kept as text, with a warning. */
    private static final java.util.Set<String> TYPED = java.util.Set.of("NM", "SN", "DT", "DTM", "TS", "TM", "NR");
    private static final Pattern BOUND = Pattern.compile("\\s*(<=|>=|<|>)\\s*([+-]?[\\d.]+)\\s*");

    private ResultMapping() {
    }

    static DiagnosticReport report(V2Segment obr, Reference subject, MappingContext ctx) {
        String sendingFacility = ctx.facility;
        DiagnosticReport report = new DiagnosticReport();
        Identifier filler = V2Types.ei(obr, 3, sendingFacility, "FILL");
        Identifier placer = V2Types.ei(obr, 2, sendingFacility, "PLAC");
        if (filler != null) {
            report.addIdentifier(filler);
        }
        if (placer != null) {
            report.addIdentifier(placer);
        }
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.fromCode(V2Codes.reportStatus(obr.get(25))));
        report.setCode(V2Types.concept(obr, 4, 0));
        if (!obr.get(24).isEmpty()) {
            report.addCategory().addCoding().setSystem(V2Codes.tableSystem("0074", obr.get(24))).setCode(obr.get(24));
        }
        if (subject != null) {
            report.setSubject(subject);
        }
        ctx.dateTime(obr, 7).ifPresent(report::setEffective);
        ctx.instant(obr, 22).ifPresent(report::setIssuedElement);
        Reference interpreter = ctx.people.interpreter(obr, 32);
        if (interpreter != null) {
            report.addResultsInterpreter(interpreter);
        }
        return report;
    }

    /** The OBX as an Observation, or null for ED values (added to {@code report.presentedForm} instead). */
    /** ED values (embedded documents) of an OBX as attachments, titled by OBX-3. */
    static List<Attachment> attachments(V2Segment obx) {
        List<Attachment> out = new ArrayList<>();
        for (int rep = 0; rep < obx.repetitions(5); rep++) {
            Attachment attachment = attachment(obx, rep);
            if (attachment != null) {
                String title = V2Types.concept(obx, 3, 0).getCodingFirstRep().getDisplay();
                if (title != null && !title.isEmpty()) {
                    attachment.setTitle(title);
                }
                out.add(attachment);
            }
        }
        return out;
    }

    /**
     * The OBX as an Observation, or null for ED values (added to {@code report.presentedForm} instead when there is a
     * report). {@code parent}: the identifier of the report, order or record the result belongs to, which its own
     * identifier extends; {@code category}: default observation category (laboratory in results, else none).
     */
    static Observation observation(V2Segment obx, V2Segment obr, DiagnosticReport report, Identifier parent, String category,
                                   Reference subject, String controlId, MappingContext ctx) {
        String sendingFacility = ctx.facility;
        String valueType = obx.get(2).toUpperCase(Locale.ROOT);
        if ("ED".equals(valueType)) {
            if (report != null) {
                attachments(obx).forEach(report::addPresentedForm);
            }
            return null;
        }
        Observation observation = new Observation();
        Identifier reportId = report == null ? null : report.getIdentifier().stream()
                .filter(i -> "FILL".equals(i.getType().getCodingFirstRep().getCode()))
                .findFirst().orElse(report.getIdentifier().isEmpty() ? null : report.getIdentifierFirstRep());
        observation.addIdentifier(observationIdentifier(obx, reportId != null ? reportId : parent, sendingFacility, controlId));
        observation.setStatus(Observation.ObservationStatus.fromCode(V2Codes.observationStatus(obx.get(11))));
        observation.setCode(V2Types.concept(obx, 3, 0));
        if (observation.getCode().isEmpty()) {
            observation.getCode().setText("unknown (OBX-3 empty)");
        }
        if (subject != null) {
            observation.setSubject(subject);
        }
        if (report != null && !report.getCategory().isEmpty()) {
            observation.addCategory(report.getCategoryFirstRep().copy());
        } else if (category != null) {
            observation.addCategory().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/observation-category")
                    .setCode(category);
        }
        Type value = value(obx, valueType, ctx.zone);
        if (value != null) {
            observation.setValue(value);
        } else if (obx.repetitions(5) > 0 && !obx.encoded(5, 0).isEmpty()) {
            if (TYPED.contains(valueType)) {
                ctx.warn("OBX-5", "not a valid " + valueType + ", kept as text", obx.encoded(5, 0).length());
            }
            observation.setValue(new StringType(obx.encoded(5, 0)));
        }
        referenceRange(observation, obx.get(7), unitOf(observation));
        for (int rep = 0; rep < obx.repetitions(8); rep++) {
            String flag = obx.get(8, rep, 1, 1);
            if (flag.isEmpty()) {
                continue;
            }
            if (V2Codes.isInterpretation(flag)) {
                observation.addInterpretation().addCoding().setSystem(V2Codes.V3_INTERPRETATION).setCode(flag.toUpperCase(Locale.ROOT));
            } else {
                observation.addInterpretation().setText(flag);
            }
        }
        DateTimeType effective = ctx.dateTime(obx, 14).orElse(null);
        if (effective == null && obr != null) {
            effective = V2DateTimes.toFhir(obr.get(7), ctx.zone).map(DateTimeType::new).orElse(null);
        }
        if (effective != null) {
            observation.setEffective(effective);
        }
        for (Reference observer : ctx.people.practitioners(obx, 16)) {
            observation.addPerformer(observer);
        }
        String performingOrg = obx.get(23);
        if (!performingOrg.isEmpty()) {
            observation.addPerformer(new Reference().setType("Organization").setDisplay(performingOrg));
        }
        if (!obx.get(17).isEmpty()) {
            observation.setMethod(V2Types.concept(obx, 17, 0));
        }
        return observation;
    }

    /** Stable per result, so a corrected result (OBX-11 C) updates the same Observation. */
    private static Identifier observationIdentifier(V2Segment obx, Identifier order, String sendingFacility, String controlId) {
        String code = obx.get(3, 0, 1, 1);
        String sub = obx.get(4);
        if (order != null) {
            return new Identifier().setSystem(order.getSystem())
                    .setValue(order.getValue() + "-" + V2Types.uriSafe(code) + (sub.isEmpty() ? "" : "-" + V2Types.uriSafe(sub)));
        }
        return new Identifier().setSystem(V2Codes.LOCAL_PREFIX + "id:" + V2Types.uriSafe(sendingFacility))
                .setValue(controlId + "-" + (obx.get(1).isEmpty() ? V2Types.uriSafe(code) : obx.get(1)));
    }

    private static Type value(V2Segment obx, String valueType, ZoneId zone) {
        if (obx.repetitions(5) == 0 || obx.encoded(5, 0).isEmpty()) {
            return null;
        }
        switch (valueType) {
            case "NM": {
                String number = obx.get(5);
                return NUMBER.matcher(number).matches() ? quantity(obx, new BigDecimal(number.startsWith(".") ? "0" + number : number)) : null;
            }
            case "SN":
                return structuredNumeric(obx);
            case "ST", "TX", "FT": {
                List<String> parts = new ArrayList<>();
                for (int rep = 0; rep < obx.repetitions(5); rep++) {
                    parts.add(obx.get(5, rep, 1, 1).replace("\\.br\\", "\n"));
                }
                return new StringType(String.join("\n", parts));
            }
            case "CE", "CWE", "CNE", "CF", "CD":
                return V2Types.concept(obx, 5, 0);
            case "DT", "DTM", "TS":
                return V2DateTimes.toFhir(obx.get(5), zone).map(t -> (Type) new DateTimeType(t)).orElse(null);
            case "TM": {
                String t = obx.get(5);
                return t.matches("\\d{4}(\\d{2})?") ? new TimeType(t.substring(0, 2) + ":" + t.substring(2, 4) + ":"
                        + (t.length() == 6 ? t.substring(4, 6) : "00")) : null;
            }
            case "NR": {
                Range range = new Range();
                String low = obx.get(5, 0, 1, 1);
                String high = obx.get(5, 0, 2, 1);
                if (NUMBER.matcher(low).matches()) {
                    range.setLow(simple(new BigDecimal(low), obx));
                }
                if (NUMBER.matcher(high).matches()) {
                    range.setHigh(simple(new BigDecimal(high), obx));
                }
                return range.isEmpty() ? null : range;
            }
            default:
                return null;
        }
    }

    /** SN: comparator^number^separator/suffix^number, e.g. {@code <^5}, {@code ^1^:^128}, {@code ^10^-^20}. */
    private static Type structuredNumeric(V2Segment obx) {
        String comparator = obx.get(5, 0, 1, 1);
        String first = obx.get(5, 0, 2, 1);
        String separator = obx.get(5, 0, 3, 1);
        String second = obx.get(5, 0, 4, 1);
        if (!NUMBER.matcher(first).matches()) {
            return null;
        }
        if (NUMBER.matcher(second).matches() && (":".equals(separator) || "/".equals(separator))) {
            return new Ratio().setNumerator(new Quantity().setValue(new BigDecimal(first)))
                    .setDenominator(new Quantity().setValue(new BigDecimal(second)));
        }
        if (NUMBER.matcher(second).matches() && "-".equals(separator)) {
            return new Range().setLow(simple(new BigDecimal(first), obx)).setHigh(simple(new BigDecimal(second), obx));
        }
        Quantity quantity = quantity(obx, new BigDecimal(first));
        switch (comparator) {
            case "<" -> quantity.setComparator(Quantity.QuantityComparator.LESS_THAN);
            case "<=" -> quantity.setComparator(Quantity.QuantityComparator.LESS_OR_EQUAL);
            case ">" -> quantity.setComparator(Quantity.QuantityComparator.GREATER_THAN);
            case ">=" -> quantity.setComparator(Quantity.QuantityComparator.GREATER_OR_EQUAL);
            default -> { }
        }
        return quantity;
    }

    private static Quantity quantity(V2Segment obx, BigDecimal value) {
        Quantity quantity = new Quantity().setValue(value);
        unit(quantity, obx);
        return quantity;
    }

    private static SimpleQuantity simple(BigDecimal value, V2Segment obx) {
        SimpleQuantity quantity = new SimpleQuantity();
        quantity.setValue(value);
        if (obx != null) {
            unit(quantity, obx);
        }
        return quantity;
    }

    private static void unit(Quantity quantity, V2Segment obx) {
        String unit = obx.get(6, 0, 1, 1);
        if (unit.isEmpty()) {
            return;
        }
        String text = obx.get(6, 0, 2, 1);
        quantity.setUnit(text.isEmpty() ? unit : text);
        String ucum = V2Codes.ucum(unit, obx.get(6, 0, 3, 1));
        if (ucum != null) {
            quantity.setSystem(V2Codes.UCUM).setCode(ucum);
        } else if (!obx.get(6, 0, 3, 1).isEmpty()) {
            quantity.setSystem(V2Codes.codingSystem(obx.get(6, 0, 3, 1))).setCode(unit);
        }
    }

    private static Quantity unitOf(Observation observation) {
        return observation.hasValueQuantity() ? observation.getValueQuantity() : null;
    }

    /** OBX-7: {@code 3.5-5.0}, {@code <5}, {@code >=10} become low/high in the value's unit; anything else stays text. */
    private static void referenceRange(Observation observation, String text, Quantity unit) {
        if (text.isEmpty()) {
            return;
        }
        Observation.ObservationReferenceRangeComponent range = observation.addReferenceRange();
        Matcher between = RANGE.matcher(text);
        Matcher bound = BOUND.matcher(text);
        if (between.matches() && NUMBER.matcher(between.group(1)).matches() && NUMBER.matcher(between.group(2)).matches()) {
            range.setLow(bounded(between.group(1), unit)).setHigh(bounded(between.group(2), unit));
        } else if (bound.matches() && NUMBER.matcher(bound.group(2)).matches()) {
            if (bound.group(1).startsWith("<")) {
                range.setHigh(bounded(bound.group(2), unit));
            } else {
                range.setLow(bounded(bound.group(2), unit));
            }
            range.setText(text);
        } else {
            range.setText(text);
        }
    }

    private static SimpleQuantity bounded(String number, Quantity unit) {
        SimpleQuantity quantity = new SimpleQuantity();
        quantity.setValue(new BigDecimal(number));
        if (unit != null) {
            quantity.setUnit(unit.getUnit()).setSystem(unit.getSystem()).setCode(unit.getCode());
        }
        return quantity;
    }

    /** ED: source^type^subtype^encoding^data. */
    private static Attachment attachment(V2Segment obx, int rep) {
        String type = obx.get(5, rep, 2, 1).toLowerCase(Locale.ROOT);
        String subtype = obx.get(5, rep, 3, 1).toLowerCase(Locale.ROOT);
        String encoding = obx.get(5, rep, 4, 1).toUpperCase(Locale.ROOT);
        String data = obx.get(5, rep, 5, 1);
        if (data.isEmpty()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = switch (encoding) {
                case "BASE64" -> Base64.getMimeDecoder().decode(data);
                case "HEX" -> HexFormat.of().parseHex(data);
                default -> data.getBytes(StandardCharsets.UTF_8);
            };
        } catch (IllegalArgumentException e) {
            return null;
        }
        String mainType = switch (type) {
            case "ap", "application" -> "application";
            case "im", "image" -> "image";
            case "tx", "text" -> "text";
            case "au", "audio" -> "audio";
            case "mu", "multipart" -> "multipart";
            default -> type.isEmpty() ? "application" : type;
        };
        String sub = subtype.isEmpty() ? "octet-stream" : subtype;
        return new Attachment().setContentType(mainType + "/" + sub).setData(bytes);
    }

    /** NTE-3 (repeating) as one note text. */
    static String noteText(V2Segment nte) {
        List<String> parts = new ArrayList<>();
        for (int rep = 0; rep < nte.repetitions(3); rep++) {
            parts.add(nte.get(3, rep, 1, 1).replace("\\.br\\", "\n"));
        }
        return String.join("\n", parts).trim();
    }
}
