package io.carebus.context.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One patient's messages as the intake has them in FHIR form: an ADT (Patient, Encounter), a vitals ORU and a labs ORU,
 * each a Bundle with the Patient (as the HL7v2 mapping writes them), dated weeks before any clock this runs under.
 */
final class ClinicalFixtures {

    /** The labs' time: the latest observation of the three messages, so the as-of of the last one. */
    static final Instant EVENT = Instant.parse("2026-11-10T14:00:00Z");
    static final String MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.72.5.9.1";
    static final String MRN = "MRN-4711";
    static final String LOINC = "http://loinc.org";

    private ClinicalFixtures() {
    }

    static String patient(String mrn, String birthDate, String gender) {
        return """
                {"fullUrl": "urn:uuid:6c1e0e4e-0000-4000-8000-%s", "resource": {"resourceType": "Patient",
                  "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                                  "system": "%s", "value": "%s"}],
                  "name": [{"family": "Doe", "given": ["Johanna"]}],
                  "birthDate": "%s", "gender": "%s"}}
                """.formatted(String.format("%012d", Math.abs(mrn.hashCode())), MRN_SYSTEM, mrn, birthDate, gender);
    }

    static String observation(String id, String loinc, Instant at, double value, String unit, String status) {
        return """
                {"resource": {"resourceType": "Observation", "status": "%s",
                  "identifier": [{"system": "urn:oid:1.2.3.4.5.filler", "value": "%s"}],
                  "code": {"coding": [{"system": "%s", "code": "%s"}]},
                  "subject": {"reference": "urn:uuid:6c1e0e4e-0000-4000-8000-000000000000"},
                  "effectiveDateTime": "%s",
                  "valueQuantity": {"value": %s, "unit": "%s", "system": "http://unitsofmeasure.org", "code": "%s"}}}
                """.formatted(status, id, LOINC, loinc, at, value, unit, unit);
    }

    static String bloodPressure(String id, Instant at, double systolic, double diastolic) {
        return """
                {"resource": {"resourceType": "Observation", "status": "final",
                  "identifier": [{"system": "urn:oid:1.2.3.4.5.filler", "value": "%s"}],
                  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                  "effectiveDateTime": "%s",
                  "component": [
                    {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                     "valueQuantity": {"value": %s, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
                    {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                     "valueQuantity": {"value": %s, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}]}}
                """.formatted(id, at, systolic, diastolic);
    }

    static String bundle(String... entries) {
        return "{\"resourceType\": \"Bundle\", \"type\": \"transaction\", \"entry\": [" + String.join(",", entries) + "]}";
    }

    static String adt(String mrn, String birthDate) {
        return bundle(patient(mrn, birthDate, "male"), """
                {"resource": {"resourceType": "Encounter", "status": "in-progress",
                  "identifier": [{"system": "urn:oid:1.2.3.4.5.visit", "value": "V-%s"}],
                  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
                  "period": {"start": "%s"}}}
                """.formatted(mrn, EVENT.minus(Duration.ofDays(1))));
    }

    static String vitals(String mrn) {
        Instant earlier = EVENT.minus(Duration.ofHours(4));
        Instant later = EVENT.minus(Duration.ofHours(1));
        List<String> entries = new ArrayList<>();
        entries.add(patient(mrn, "1956-03-14", "male"));
        entries.add(observation(mrn + "-hr-1", "8867-4", earlier, 104, "/min", "final"));
        entries.add(observation(mrn + "-hr-2", "8867-4", later, 121, "/min", "final"));
        entries.add(observation(mrn + "-rr-1", "9279-1", later, 27, "/min", "final"));
        entries.add(observation(mrn + "-temp-1", "8310-5", later, 102.0, "[degF]", "final"));
        entries.add(bloodPressure(mrn + "-bp-1", later, 92, 55));
        return bundle(entries.toArray(String[]::new));
    }

    static String labs(String mrn) {
        return bundle(patient(mrn, "1956-03-14", "male"),
                observation(mrn + "-wbc-1", "6690-2", EVENT.minus(Duration.ofHours(2)), 15.4, "10*3/uL", "final"),
                observation(mrn + "-lac-1", "2524-7", EVENT, 3.2, "mmol/L", "final"));
    }
}
