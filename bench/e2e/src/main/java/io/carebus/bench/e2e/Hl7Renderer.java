package io.carebus.bench.e2e;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Renders the feed's events as HL7 v2.5.1: ADT^A01 for the admission, ORU^R01 for a vitals set (sending application
 * {@code E2E-MONITOR}, one OBR for the vital-signs panel) or a lab set ({@code E2E-LAB}, one OBR per test), one NM
 * OBX per value with LOINC code, UCUM unit (CWE with coding system UCUM) and its observation time in OBX-14. Times
 * carry an explicit UTC offset, the MRN is PID-3 with assigning authority {@code DEMO-HOSP&2.999.1&ISO} and type MR.
 */
public final class Hl7Renderer {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    /** The order (OBR-4) of a lab result: WBC is part of a CBC, lactate is its own test. */
    private static final Map<Feature, String> LAB_ORDERS = Map.of(
            Feature.WBC, "58410-2^CBC panel - Blood by Automated count^LN",
            Feature.LACTATE, "2524-7^Lactate [Moles/volume] in Serum or Plasma^LN");
    private static final String VITALS_ORDER = "85353-1^Vital signs panel^LN";

    private final String runTag;

    /** @param runTag makes control ids, visit and filler numbers unique to one run (the engine drops duplicates) */
    public Hl7Renderer(String runTag) {
        this.runTag = runTag;
    }

    /** The MSH-10 control id of an event's message. */
    public String controlId(ClinicalEvent event) {
        return runTag + "-" + event.patient() + "-" + event.kind().name().charAt(0) + (event.step() < 0 ? "0" : Integer.toString(event.step()));
    }

    public String render(ClinicalEvent event, DemoPatient patient) {
        return switch (event.kind()) {
            case ADMIT -> adt(event, patient);
            case VITALS, LABS -> oru(event, patient);
        };
    }

    String adt(ClinicalEvent event, DemoPatient patient) {
        String time = TS.format(event.time());
        StringBuilder m = new StringBuilder(512);
        m.append(msh("E2E-ADT", time, "ADT^A01^ADT_A01", controlId(event)));
        m.append(segment("EVN", "A01", time));
        m.append(pid(patient));
        m.append(pv1(event, patient, time));
        return m.toString();
    }

    String oru(ClinicalEvent event, DemoPatient patient) {
        String time = TS.format(event.time());
        boolean vitals = event.kind() == ClinicalEvent.Kind.VITALS;
        StringBuilder m = new StringBuilder(1024);
        m.append(msh(vitals ? "E2E-MONITOR" : "E2E-LAB", time, "ORU^R01^ORU_R01", controlId(event)));
        m.append(pid(patient));
        m.append(pv1(event, patient, null));
        int obr = 0;
        int obx = 0;
        String filler = controlId(event);
        if (vitals) {
            m.append(obr(++obr, filler, VITALS_ORDER, time));
            for (Map.Entry<Feature, BigDecimal> value : event.values().entrySet()) {
                m.append(obx(++obx, value.getKey(), value.getValue(), time));
            }
        } else {
            for (Map.Entry<Feature, BigDecimal> value : event.values().entrySet()) {
                m.append(obr(++obr, filler + "-" + obr, LAB_ORDERS.get(value.getKey()), time));
                obx = 0;
                m.append(obx(++obx, value.getKey(), value.getValue(), time));
            }
        }
        return m.toString();
    }

    private static String msh(String app, String time, String type, String controlId) {
        return "MSH|^~\\&|" + app + "|" + DemoPatient.FACILITY + "|CAREBUS|" + DemoPatient.FACILITY + "|" + time + "||" + type + "|"
                + controlId + "|P|2.5.1\r";
    }

    private static String pid(DemoPatient patient) {
        return segment("PID", "1", "",
                escape(patient.mrn()) + "^^^" + DemoPatient.FACILITY + "&" + DemoPatient.MRN_OID + "&ISO^MR", "",
                escape(patient.family()) + "^" + escape(patient.given()), "",
                patient.birthDate() == null ? "" : DATE.format(patient.birthDate()), patient.v2Sex(), "", "",
                "^^" + escape(nz(patient.city())) + "^" + escape(nz(patient.state())));
    }

    private String pv1(ClinicalEvent event, DemoPatient patient, String admitTime) {
        String[] f = new String[44];
        java.util.Arrays.fill(f, "");
        f[0] = "1";
        f[1] = "I";
        f[2] = "ICU^" + (100 + event.patient() % 900) + "^A^" + DemoPatient.FACILITY;
        f[18] = runTag + "V" + event.patient() + "^^^" + DemoPatient.FACILITY + "&2.999.2&ISO^VN";
        if (admitTime != null) {
            f[43] = admitTime;
        }
        return segment("PV1", trimTrailing(f));
    }

    private static String obr(int setId, String filler, String order, String time) {
        String[] f = new String[25];
        java.util.Arrays.fill(f, "");
        f[0] = Integer.toString(setId);
        f[2] = filler + "^E2E";
        f[3] = order;
        f[6] = time;
        f[21] = time;
        f[24] = "F";
        return segment("OBR", f);
    }

    private static String obx(int setId, Feature feature, BigDecimal value, String time) {
        String[] f = new String[14];
        java.util.Arrays.fill(f, "");
        f[0] = Integer.toString(setId);
        f[1] = "NM";
        f[2] = feature.loinc() + "^" + feature.display() + "^LN";
        f[4] = value.toPlainString();
        f[5] = feature.ucum() + "^" + feature.ucum() + "^UCUM";
        f[10] = "F";
        f[13] = time;
        return segment("OBX", f);
    }

    private static String segment(String name, String... fields) {
        return name + "|" + String.join("|", fields) + "\r";
    }

    private static String[] trimTrailing(String[] fields) {
        int n = fields.length;
        while (n > 1 && fields[n - 1].isEmpty()) {
            n--;
        }
        return java.util.Arrays.copyOf(fields, n);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** HL7 escapes for the delimiters (names from Synthea have none, but a hand-written patient may). */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\E\\");
                case '|' -> out.append("\\F\\");
                case '^' -> out.append("\\S\\");
                case '&' -> out.append("\\T\\");
                case '~' -> out.append("\\R\\");
                case '\r', '\n' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** MSH-7 style timestamp (for tests and logs). */
    static String ts(Instant t) {
        return TS.format(t);
    }
}
