package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.HapiContext;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * Item 3: where senders break the rules, the mapping leaves the one bad element out and says so (field, problem,
 * length, never the value); the rest of the message still maps, and the Bundle still validates.
 */
class DegradationTest {

    private static final HapiContext HAPI = Samples.hapi(false);
    private final Hl7FhirMapper mapper = new Hl7FhirMapper(Samples.ZONE);

    private Hl7FhirMapper.Mapped map(String... segments) throws Exception {
        return mapper.map(Samples.parse(HAPI, String.join("\r", segments)), "d").orElseThrow();
    }

    static String seg(String name, Object... positionsAndValues) {
        return Segments.of(name, positionsAndValues);
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void badTimesAreLeftOutWithAWarningNamingFieldAndLengthButNotTheValue() throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|ADT|HOSP|||20261128101500||ADT^A01^ADT_A01|D1|P|2.5.1",
                "PID|1||M1^^^HOSP^MR||Doe^Jane||1980021X|F",
                seg("PV1", 1, 1, 2, "I", 3, "W1^1^1^HOSP", 19, "V1^^^HOSP^VN", 44, "yesterday", 45, "20261399"),
                seg("DG1", 1, 1, 3, "I10^Hypertension^I10", 5, "2026-11-28 10:00", 6, "A"),
                seg("IN1", 1, 1, 2, "P1", 3, "INS^^^HOSP", 4, "Insurer", 12, "20171007150405-0500", 13, "not-a-date"));
        Patient patient = all(mapped.bundle(), Patient.class).get(0);
        assertThat(patient.hasBirthDate()).isFalse();
        assertThat(patient.getNameFirstRep().getFamily()).as("the rest of PID still maps").isEqualTo("Doe");
        Encounter encounter = all(mapped.bundle(), Encounter.class).get(0);
        assertThat(encounter.getPeriod().hasStart()).isFalse();
        assertThat(encounter.getPeriod().hasEnd()).isFalse();
        assertThat(encounter.getIdentifierFirstRep().getValue()).isEqualTo("V1");
        Condition condition = all(mapped.bundle(), Condition.class).get(0);
        assertThat(condition.hasOnset()).isFalse();
        assertThat(condition.getCode().getCodingFirstRep().getCode()).isEqualTo("I10");
        Coverage coverage = all(mapped.bundle(), Coverage.class).get(0);
        assertThat(coverage.getPeriod().getStartElement().getValueAsString()).as("a DT sent with time and zone: its date")
                .isEqualTo("2017-10-07");
        assertThat(coverage.getPeriod().hasEnd()).isFalse();
        assertThat(mapped.warnings()).extracting(MappingWarning::field)
                .containsExactly("PID-7", "PV1-44", "PV1-45", "DG1-5", "IN1-13");
        assertThat(mapped.warnings().get(1)).isEqualTo(new MappingWarning("PV1-44", "not a valid date/time (DTM)", 9));
        assertThat(mapped.warnings().toString()).doesNotContain("yesterday", "1980021X", "not-a-date");
        assertThat(R4Validation.errors(mapped.bundle())).isEmpty();
    }

    @Test
    void aRequiredTimeThatIsBadKeepsTheResourceWithoutGuessing() throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|EHR|CLINIC|||20261115||VXU^V04^VXU_V04|D2|P|2.5.1",
                "PID|1||P1^^^CLINIC^MR||Doe^Baby", "ORC|RE||IZ-9",
                "RXA|0|1|15/11/2026||08^Hep B^CVX|0.5|mL");
        Immunization immunization = all(mapped.bundle(), Immunization.class).get(0);
        assertThat(immunization.getOccurrenceStringType().getValue()).startsWith("unknown");
        assertThat(mapped.warnings()).extracting(MappingWarning::field).containsExactly("RXA-3");
        assertThat(R4Validation.errors(mapped.bundle())).isEmpty();
    }

    @Test
    void wrongTypesAndNonsenseValuesNeverCostTheMessage() throws Exception {
        // a DTM in an NM field (PV1-46), a number that is none, a non-numeric rank, an SIU whose SCH is shifted
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|LAB|HOSP|||20261128||ORU^R01^ORU_R01|D3|P|2.5.1",
                "PID|1||M1^^^HOSP^MR||Doe^Jane",
                seg("PV1", 1, 1, 2, "I", 19, "V1^^^HOSP^VN", 46, "20261128"),
                seg("OBR", 1, 1, 3, "F1", 4, "GLU^Glucose^L", 7, "20261128120000", 23, "20261128"),
                "OBX|1|NM|GLU^Glucose^L||1,5|mg/dL|||||F",
                "OBX|2|CE|COL^Color^L||Y^Yellow^L||||||F",
                "OBX|3|DTM|T^Time^L||sometime||||||F");
        assertThat(mapped.bundle().getEntry()).isNotEmpty();
        assertThat(mapped.warnings()).extracting(w -> w.field() + " " + w.problem())
                .containsExactly("OBX-5 not a valid NM, kept as text", "OBX-5 not a valid DTM, kept as text");
        assertThat(R4Validation.errors(mapped.bundle())).isEmpty();

        Hl7FhirMapper.Mapped siu = map("MSH|^~\\&|SCHED|CLINIC|||20261128||SIU^S12^SIU_S12|D4|P|2.5",
                seg("SCH", 1, "A1", 2, "A1F", 6, "R", 7, "Checkup", 8, "N", 9, "30", 10, "min", 11, "min", 25, "Booked"),
                "PID|1||P1^^^CLINIC^MR||Doe^Jane");
        assertThat(all(siu.bundle(), org.hl7.fhir.r4.model.Appointment.class).get(0).getStatus().toCode())
                .as("no time anywhere: FHIR allows that only for a proposed appointment").isEqualTo("proposed");
        assertThat(siu.warnings()).extracting(MappingWarning::field).containsExactly("SCH-11");
        assertThat(R4Validation.errors(siu.bundle())).isEmpty();
    }

    @Test
    void aSegmentWhoseMappingFailsCostsThatSegmentOnly() throws Exception {
        // AL1 with an allergen but no patient before it is skipped; a PID without identifier or name is left out
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A08^ADT_A01|D5|P|2.3",
                "PID|1||M1^^^HOSP^MR||Doe^Jane", "AL1|1|DA|^Penicillin|XX|", "AL1|2", "DG1|1");
        assertThat(all(mapped.bundle(), org.hl7.fhir.r4.model.AllergyIntolerance.class)).hasSize(1);
        assertThat(all(mapped.bundle(), Condition.class)).isEmpty();
        assertThat(R4Validation.errors(mapped.bundle())).isEmpty();
        // a version-specific structure HAPI cannot use: the generic one maps the same
        Hl7FhirMapper.Mapped generic = mapper.map(Samples.parse(Samples.hapi(true),
                "MSH|^~\\&|ADT|HOSP|||20261128||ADT^A08^ADT_A01|D5|P|2.3\rPID|1||M1^^^HOSP^MR||Doe^Jane\rAL1|1|DA|^Penicillin"), "g")
                .orElseThrow();
        assertThat(all(generic.bundle(), org.hl7.fhir.r4.model.AllergyIntolerance.class)).hasSize(1);
    }
}
