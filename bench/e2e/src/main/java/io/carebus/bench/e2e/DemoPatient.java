package io.carebus.bench.e2e;

import java.time.LocalDate;

/**
 * One synthetic patient of the feed: demographics taken from a Synthea record (or a hand-written one in tests) and
 * the MRN the feed gives it. No real person is behind any of these.
 *
 * @param mrn the medical record number sent in PID-3 and Patient.identifier (system {@link #MRN_SYSTEM})
 * @param gender FHIR administrative gender: {@code male}, {@code female}, {@code other} or {@code unknown}
 */
public record DemoPatient(String mrn, String family, String given, LocalDate birthDate, String gender, String city,
        String state) {

    /** The assigning authority of the feed's MRNs: PID-3.4 {@code DEMO-HOSP&2.999.1&ISO}, in FHIR {@code urn:oid:2.999.1}. */
    public static final String MRN_OID = "2.999.1";
    public static final String MRN_SYSTEM = "urn:oid:" + MRN_OID;
    public static final String FACILITY = "DEMO-HOSP";

    /** The same demographics under another MRN (the benchmark reuses a small Synthea pool for 200 patients). */
    public DemoPatient withMrn(String newMrn) {
        return new DemoPatient(newMrn, family, given, birthDate, gender, city, state);
    }

    /** HL7 table 0001 sex for PID-8. */
    public String v2Sex() {
        return switch (gender == null ? "" : gender) {
            case "male" -> "M";
            case "female" -> "F";
            case "other" -> "O";
            default -> "U";
        };
    }
}
