package io.carebus.context.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.context.ContextHeaders;
import io.carebus.deid.FhirDeidentifier;
import io.carebus.deid.Hl7Deidentifier;
import io.carebus.deid.Hl7Profile;
import io.carebus.deid.PseudonymDomain;
import io.carebus.hl7.internal.fhir.Hl7FhirMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;

/**
 * HL7v2 messages as the shipped route hands them to {@code carebus:context}: the intake's real FHIR mapping
 * (header {@code CareBusFhirBundle}), and with de-identification what {@code carebus:deid} makes of it (the HL7v2
 * pseudonym as {@code CareBusSubject}, the FHIR form de-identified, the date shift headers).
 */
final class Hl7Fixtures {

    static final String HOSP = "urn:carebus:hl7v2:id:HOSP";
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final DateTimeFormatter V2 = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").withZone(ZoneOffset.UTC);
    private static final HapiContext HAPI = new DefaultHapiContext(ValidationContextFactory.noValidation());
    private static final Hl7FhirMapper MAPPER = new Hl7FhirMapper(ZoneOffset.UTC);

    private Hl7Fixtures() {
    }

    static String ts(Instant at) {
        return V2.format(at);
    }

    /** A segment with the given fields at their positions (1-based), the rest empty. */
    private static String segment(String name, Object... positionsAndValues) {
        String[] fields = new String[60];
        java.util.Arrays.fill(fields, "");
        int last = 0;
        for (int i = 0; i < positionsAndValues.length; i += 2) {
            int at = (Integer) positionsAndValues[i];
            fields[at] = String.valueOf(positionsAndValues[i + 1]);
            last = Math.max(last, at);
        }
        fields[0] = name;
        return String.join("|", java.util.Arrays.copyOf(fields, last + 1));
    }

    static String adtA01(String mrn, String birth, String sex, String visit, Instant admitted) {
        return "MSH|^~\\&|ADT|HOSP|||" + ts(admitted) + "||ADT^A01^ADT_A01|A01-" + mrn + "|P|2.5\r"
                + "EVN|A01|" + ts(admitted) + "\r"
                + segment("PID", 1, 1, 3, mrn + "^^^HOSP^MR", 5, "Doe^Pat", 7, birth, 8, sex) + "\r"
                + segment("PV1", 1, 1, 2, "I", 3, "ICU^1^1", 19, visit + "^^^HOSP^VN", 44, ts(admitted));
    }

    /** One OBR with one NM OBX per {@code loinc, value, unit, time} quadruple. */
    static String oru(String mrn, String order, Object... results) {
        Instant first = (Instant) results[3];
        StringBuilder m = new StringBuilder("MSH|^~\\&|LAB|HOSP|||" + ts(first) + "||ORU^R01^ORU_R01|" + order + "|P|2.5\r"
                + segment("PID", 1, 1, 3, mrn + "^^^HOSP^MR", 5, "Doe^Pat") + "\r"
                + segment("OBR", 1, 1, 3, order + "^LAB", 4, "24323-8^Panel^LN", 7, ts(first), 25, "F"));
        for (int i = 0; i < results.length; i += 4) {
            m.append("\r").append(segment("OBX", 1, i / 4 + 1, 2, "NM", 3, results[i] + "^^LN", 5, results[i + 1],
                    6, results[i + 2] + "^^UCUM", 11, "F", 14, ts((Instant) results[i + 3])));
        }
        return m.toString();
    }

    static String adtA40(String survivorMrn, String retiredMrn, Instant at) {
        return "MSH|^~\\&|ADT|HOSP|||" + ts(at) + "||ADT^A40^ADT_A39|A40-" + retiredMrn + "|P|2.5\r"
                + "EVN|A40|" + ts(at) + "\r"
                + "PID|1||" + survivorMrn + "^^^HOSP^MR||Doe^Pat\r"
                + "MRG|" + retiredMrn + "^^^HOSP^MR";
    }

    /** What the route hands carebus:context: the FHIR form and headers, de-identified when {@code domain} is given. */
    record Intake(String fhir, Map<String, Object> headers) {
    }

    static Intake intake(String er7, PseudonymDomain domain) throws Exception {
        Bundle bundle = MAPPER.map(HAPI.getPipeParser().parse(er7), er7.split("\\|")[9]).orElseThrow().bundle();
        Map<String, Object> headers = new HashMap<>();
        if (domain == null) {
            return new Intake(FHIR.newJsonParser().encodeResourceToString(bundle), headers);
        }
        Hl7Deidentifier.Result message = new Hl7Deidentifier(domain).deidentify(er7, Hl7Profile.builtIn("safe-harbor"), List.of());
        FhirDeidentifier.Result form = new FhirDeidentifier(domain).deidentify(bundle, Set.of(), List.of());
        headers.put(ContextHeaders.SUBJECT, message.pseudonym());
        headers.put(ContextHeaders.DATE_SHIFT_DAYS, message.shiftDays());
        if (!form.linkedShiftDays().isEmpty()) {
            headers.put(ContextHeaders.LINKED_DATE_SHIFTS, form.linkedShiftDays());
        }
        return new Intake(FHIR.newJsonParser().encodeResourceToString(form.resource()), headers);
    }
}
