package io.carebus.hl7.internal.fhir;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HL7 tables the mapping translates, after the HL7 v2-to-FHIR IG's concept maps (see the bundle README for the
 * tables in full). Unknown codes never fail a mapping: they fall back to the "unknown" member or stay as text.
 */
final class V2Codes {

    static final String LOINC = "http://loinc.org";
    static final String SNOMED = "http://snomed.info/sct";
    static final String UCUM = "http://unitsofmeasure.org";
    static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";
    static final String V2_0002 = "http://terminology.hl7.org/CodeSystem/v2-0002";
    static final String V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    static final String V3_NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";
    static final String V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    static final String LOCAL_PREFIX = "urn:carebus:hl7v2:";

    /** Table 0396 names (CWE.3) of the coding systems FHIR has canonical URLs for. */
    private static final Map<String, String> CODING_SYSTEMS = Map.ofEntries(
            Map.entry("LN", LOINC), Map.entry("LOINC", LOINC),
            Map.entry("SCT", SNOMED), Map.entry("SNM", SNOMED), Map.entry("SNOMED", SNOMED), Map.entry("SNOMEDCT", SNOMED),
            Map.entry("UCUM", UCUM),
            Map.entry("I10", "http://hl7.org/fhir/sid/icd-10"), Map.entry("ICD10", "http://hl7.org/fhir/sid/icd-10"),
            Map.entry("I10C", "http://hl7.org/fhir/sid/icd-10-cm"), Map.entry("ICD10CM", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("I9C", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("CPT", "http://www.ama-assn.org/go/cpt"), Map.entry("C4", "http://www.ama-assn.org/go/cpt"),
            Map.entry("HL70078", V3_INTERPRETATION), Map.entry("HL70074", V2_0074),
            Map.entry("CVX", "http://hl7.org/fhir/sid/cvx"), Map.entry("HL70292", "http://hl7.org/fhir/sid/cvx"),
            Map.entry("MVX", "http://hl7.org/fhir/sid/mvx"), Map.entry("HL70227", "http://hl7.org/fhir/sid/mvx"),
            Map.entry("NDC", "http://hl7.org/fhir/sid/ndc"), Map.entry("I9", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("I9CM", "http://hl7.org/fhir/sid/icd-9-cm"), Map.entry("ICD9", "http://hl7.org/fhir/sid/icd-9-cm"),
            Map.entry("I10P", "http://www.cms.gov/Medicare/Coding/ICD10"), Map.entry("ICD10PCS", "http://www.cms.gov/Medicare/Coding/ICD10"),
            Map.entry("ICD-10", "http://hl7.org/fhir/sid/icd-10"), Map.entry("ICD-10-CM", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("ICD10GM", "http://fhir.de/CodeSystem/bfarm/icd-10-gm"), Map.entry("I10GM", "http://fhir.de/CodeSystem/bfarm/icd-10-gm"),
            Map.entry("RXN", "http://www.nlm.nih.gov/research/umls/rxnorm"), Map.entry("HCPCS", "urn:oid:2.16.840.1.113883.6.285"),
            Map.entry("HPC", "urn:oid:2.16.840.1.113883.6.285"), Map.entry("ATC", "http://www.whocc.no/atc"));

    /** Units frequent in lab feeds that are not UCUM as written, with their UCUM code. */
    private static final Map<String, String> UCUM_ALIASES = Map.ofEntries(
            Map.entry("K/uL", "10*3/uL"), Map.entry("K/UL", "10*3/uL"), Map.entry("x10E3/uL", "10*3/uL"),
            Map.entry("10^3/uL", "10*3/uL"), Map.entry("M/uL", "10*6/uL"), Map.entry("x10E6/uL", "10*6/uL"),
            Map.entry("10^6/uL", "10*6/uL"), Map.entry("10^9/L", "10*9/L"), Map.entry("10^12/L", "10*12/L"),
            Map.entry("mmHg", "mm[Hg]"), Map.entry("bpm", "/min"), Map.entry("beats/min", "/min"), Map.entry("breaths/min", "/min"),
            Map.entry("degC", "Cel"), Map.entry("C", "Cel"), Map.entry("degF", "[degF]"), Map.entry("F", "[degF]"),
            Map.entry("sec", "s"), Map.entry("min", "min"), Map.entry("hr", "h"), Map.entry("hrs", "h"),
            Map.entry("mEq/L", "meq/L"), Map.entry("MEQ/L", "meq/L"), Map.entry("IU/L", "[IU]/L"),
            Map.entry("mIU/mL", "m[IU]/mL"), Map.entry("uIU/mL", "u[IU]/mL"), Map.entry("lbs", "[lb_av]"), Map.entry("lb", "[lb_av]"),
            Map.entry("in", "[in_i]"), Map.entry("kg/m^2", "kg/m2"), Map.entry("MG/DL", "mg/dL"), Map.entry("G/DL", "g/dL"),
            Map.entry("MMOL/L", "mmol/L"));

    /** UCUM codes frequent in lab feeds, trusted when the sender names no unit system. */
    private static final Set<String> UCUM_CODES = Set.of("mg/dL", "g/dL", "g/L", "mg/L", "ug/L", "ug/dL", "ng/mL", "ng/dL",
            "pg/mL", "mmol/L", "umol/L", "nmol/L", "pmol/L", "meq/L", "U/L", "[IU]/L", "m[IU]/mL", "%", "fL", "pg", "10*3/uL",
            "10*6/uL", "10*9/L", "10*12/L", "mm[Hg]", "/min", "kg", "g", "cm", "m", "mm", "kg/m2", "Cel", "[degF]", "mL/min",
            "mL/min/{1.73_m2}", "s", "min", "h", "d", "wk", "mo", "a", "mosm/kg", "mL", "L", "[lb_av]", "[in_i]", "mm/h",
            "mg", "ug", "ng", "u[IU]/mL", "{ratio}", "1");

    private V2Codes() {
    }

    /** FHIR system for a CWE.3 name; local names become {@code urn:carebus:hl7v2:codesystem:<name>}. */
    static String codingSystem(String v2Name) {
        if (v2Name == null || v2Name.isBlank()) {
            return null;
        }
        String name = v2Name.trim().toUpperCase(Locale.ROOT);
        String known = CODING_SYSTEMS.get(name);
        if (known != null) {
            return known;
        }
        return LOCAL_PREFIX + "codesystem:" + V2Types.uriSafe(v2Name.trim());
    }

    /**
     * The system of a code from HL7 table {@code table}: its terminology.hl7.org code system when the code is a member
     * there, else a local one ({@code urn:carebus:hl7v2:codesystem:HL7nnnn}): senders extend user-defined tables, and a
     * code claimed for a code system that lacks it makes the Bundle invalid.
     */
    static String tableSystem(String table, String code) {
        return V2Tables.contains(table, code) ? "http://terminology.hl7.org/CodeSystem/v2-" + table
                : LOCAL_PREFIX + "codesystem:HL7" + table;
    }

    /** UCUM code for a unit as sent, or null when it is not (recognisably) UCUM. */
    static String ucum(String unit, String unitSystem) {
        if (unit == null || unit.isBlank()) {
            return null;
        }
        String u = unit.trim();
        if ("UCUM".equalsIgnoreCase(unitSystem) || "ANS+".equalsIgnoreCase(unitSystem)) {
            return u;
        }
        if (UCUM_CODES.contains(u)) {
            return u;
        }
        return UCUM_ALIASES.get(u);
    }

    static String gender(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "M" -> "male";
            case "F" -> "female";
            case "O", "A" -> "other";
            case "" -> null;
            default -> "unknown";
        };
    }

    static String nameUse(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "L" -> "official";
            case "D" -> "usual";
            case "M", "B" -> "maiden";
            case "N" -> "nickname";
            case "S" -> "anonymous";
            case "T" -> "temp";
            default -> null;
        };
    }

    static String addressUse(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "H", "P" -> "home";
            case "B", "O" -> "work";
            case "C" -> "temp";
            case "BA", "BI", "BR" -> "old";
            default -> null;
        };
    }

    /** Encounter.class from PV1-2 (table 0004): v3 ActCode, or NullFlavor UNK. */
    static String[] patientClass(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "E" -> new String[] {V3_ACT_CODE, "EMER", "emergency"};
            case "I", "B" -> new String[] {V3_ACT_CODE, "IMP", "inpatient encounter"};
            case "O", "R", "C" -> new String[] {V3_ACT_CODE, "AMB", "ambulatory"};
            case "P" -> new String[] {V3_ACT_CODE, "PRENC", "pre-admission"};
            default -> new String[] {V3_NULL_FLAVOR, "UNK", "unknown"};
        };
    }

    /** Encounter.status from the ADT trigger event. */
    static String encounterStatus(String trigger, boolean discharged) {
        return switch (trigger.toUpperCase(Locale.ROOT)) {
            case "A03" -> "finished";
            case "A05", "A14" -> "planned";
            case "A11", "A27", "A38" -> "cancelled";
            case "A01", "A02", "A04", "A06", "A07", "A12", "A13", "A21", "A22" -> "in-progress";
            default -> discharged ? "finished" : "in-progress";
        };
    }

    /** Observation.status from OBX-11 (table 0085). */
    static String observationStatus(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "F", "U" -> "final";
            case "C" -> "corrected";
            case "P", "R", "S" -> "preliminary";
            case "I", "O" -> "registered";
            case "X" -> "cancelled";
            case "D", "W" -> "entered-in-error";
            default -> "unknown";
        };
    }

    /** DiagnosticReport.status from OBR-25 (table 0123). */
    static String reportStatus(String v2) {
        return switch (v2.toUpperCase(Locale.ROOT)) {
            case "F" -> "final";
            case "C" -> "corrected";
            case "P" -> "preliminary";
            case "A", "R", "S" -> "partial";
            case "I", "O" -> "registered";
            case "X" -> "cancelled";
            default -> "unknown";
        };
    }

    /** OBX-8 (table 0078) codes that keep their meaning in v3 ObservationInterpretation. */
    static boolean isInterpretation(String v2) {
        return Set.of("L", "H", "LL", "HH", "N", "A", "AA", "<", ">", "S", "R", "I", "U", "D", "B", "W", "MS", "VS", "NEG",
                "POS", "IND", "DET", "ND", "AC", "RR", "QCF", "TOX", "IE", "NR", "E", "EX", "EXP", "HX", "LX", "HU", "LU",
                "CAR", "H>", "L<", "NCL", "SDD", "SYN-R", "SYN-S", "WR").contains(v2.toUpperCase(Locale.ROOT));
    }
}
