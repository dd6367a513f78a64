package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Features from FHIR Observations: code match, window, status, units, aggregates, and nothing made up. */
class ObservationFeaturesTest {

    private static final Instant AS_OF = Instant.parse("2026-11-28T12:00:00Z");

    private static String observation(String loinc, String time, double value, String unit, String status) {
        return """
                {"resource": {"resourceType": "Observation", "status": "%s",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]},
                  "effectiveDateTime": "%s",
                  "valueQuantity": {"value": %s, "unit": "%s", "system": "http://unitsofmeasure.org", "code": "%s"}}}
                """.formatted(status, loinc, time, value, unit, unit);
    }

    private static String bundle(String... entries) {
        return "{\"resourceType\": \"Bundle\", \"type\": \"transaction\", \"entry\": [" + String.join(",", entries) + "]}";
    }

    private static CardDocument card() throws Exception {
        return new CardReader().read(TestCards.card("1.0.0", "0".repeat(64), 0.5).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void takesTheWorstValueInTheWindowConvertingUnitsAndSkippingPreliminaryResults() throws Exception {
        String fhir = bundle(
                observation("8867-4", "2026-11-28T09:00:00Z", 104, "/min", "final"),
                observation("8867-4", "2026-11-28T11:30:00+01:00", 131, "/min", "final"), // 10:30Z, in the window
                observation("8867-4", "2026-11-28T05:00:00Z", 150, "/min", "final"),      // 7 h ago: outside PT6H
                observation("8867-4", "2026-11-28T11:50:00Z", 160, "/min", "preliminary"), // not final
                observation("8867-4", "2026-11-28T12:30:00Z", 170, "/min", "final"),      // after asOf
                observation("8310-5", "2026-11-28T10:00:00Z", 101.3, "[degF]", "final"),
                observation("2524-7", "2026-11-27T20:00:00Z", 2.1, "mmol/L", "final"),
                observation("2524-7", "2026-11-28T08:00:00Z", 3.4, "mmol/L", "amended"));
        Map<String, Double> features = ObservationFeatures.extract(card(), fhir, AS_OF);
        assertThat(features.get("heart_rate")).isEqualTo(131.0);
        assertThat(features.get("temperature")).isCloseTo(38.5, within(1e-9));
        assertThat(features.get("lactate")).isEqualTo(3.4); // last
    }

    @Test
    void aValueInAUnitThatCannotBeConvertedIsLeftOutNotScaledWrongly() throws Exception {
        String fhir = bundle(observation("2524-7", "2026-11-28T08:00:00Z", 30, "mg/dL", "final"));
        assertThat(ObservationFeatures.extract(card(), fhir, AS_OF)).doesNotContainKey("lactate");
    }

    @Test
    void componentsAndSlopesAreRead() throws Exception {
        String bp = """
                {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                 "effectiveDateTime": "2026-11-28T11:00:00Z",
                 "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                                "valueQuantity": {"value": 99, "code": "/min"}}]}
                """;
        assertThat(ObservationFeatures.extract(card(), bp, AS_OF)).containsEntry("heart_rate", 99.0);
        List<ObservationFeatures.Point> rising = new java.util.ArrayList<>(List.of(
                new ObservationFeatures.Point(Instant.parse("2026-11-28T08:00:00Z"), 1.0),
                new ObservationFeatures.Point(Instant.parse("2026-11-28T10:00:00Z"), 2.0),
                new ObservationFeatures.Point(Instant.parse("2026-11-28T12:00:00Z"), 3.0)));
        assertThat(ObservationFeatures.aggregate(rising, "slope")).contains(0.5);
        assertThat(ObservationFeatures.aggregate(rising, "mean")).contains(2.0);
        assertThat(ObservationFeatures.aggregate(new java.util.ArrayList<>(), "max")).isEmpty();
    }

    private static final List<ObservationFeatures.Spec> DEMOGRAPHICS = List.of(
            new ObservationFeatures.Spec("age", "http://loinc.org|30525-0", "a", null, "last"),
            new ObservationFeatures.Spec("sex", "http://loinc.org|46098-0", null, null, "last"));

    private static String patient(String birthDate, String gender) {
        return "{\"resource\": {\"resourceType\": \"Patient\", \"birthDate\": \"" + birthDate + "\", \"gender\": \"" + gender + "\"}}";
    }

    @Test
    void ageComesFromTheBirthDateAtAsOfAndSexFromGender() throws Exception {
        Map<String, Double> f = ObservationFeatures.evaluate(DEMOGRAPHICS, bundle(patient("1956-11-28", "female")), AS_OF).features();
        assertThat(f).containsEntry("age", 70.0).containsEntry("sex", 0.0);
        // the day before the birthday: still 69
        assertThat(ObservationFeatures.evaluate(DEMOGRAPHICS, bundle(patient("1956-11-29", "male")), AS_OF).features())
                .containsEntry("age", 69.0).containsEntry("sex", 1.0);
        assertThat(ObservationFeatures.evaluate(DEMOGRAPHICS, bundle(patient("1956-11-29", "unknown")), AS_OF).features())
                .doesNotContainKey("sex");
        // an age observation wins over the birth date
        String ageObservation = observation("30525-0", "2026-11-01T00:00:00Z", 71, "a", "final");
        assertThat(ObservationFeatures.evaluate(DEMOGRAPHICS, bundle(patient("1956-11-29", "male"), ageObservation), AS_OF).features())
                .containsEntry("age", 71.0);
        // no Patient, no age: missing, not guessed
        assertThat(ObservationFeatures.evaluate(DEMOGRAPHICS, bundle(observation("8867-4", "2026-11-28T09:00:00Z", 104, "/min", "final")),
                AS_OF).features()).isEmpty();
    }

    @Test
    void agesOver89AreNinetyAndSafeHarborsYearAloneIsNinetyToo() {
        assertThat(ObservationFeatures.ageAt("1931-02-01", AS_OF)).contains(90.0);
        assertThat(ObservationFeatures.ageAt("1936-12-01", AS_OF)).contains(89.0);
        // Safe Harbor writes the year 90 years back; a shifted as-of can lie in the year before
        assertThat(ObservationFeatures.ageAt("1936", AS_OF)).contains(90.0);
        assertThat(ObservationFeatures.ageAt("1937", AS_OF)).contains(90.0);
        assertThat(ObservationFeatures.ageAt("1938", AS_OF)).as("88 or 89: unknown").isEmpty();
        assertThat(ObservationFeatures.ageAt("1956-03", AS_OF)).contains(70.0);
        assertThat(ObservationFeatures.ageAt("1956-11", AS_OF)).as("the birthday month of as-of: 69 or 70").isEmpty();
        assertThat(ObservationFeatures.ageAt("2027-01-01", AS_OF)).isEmpty();
        assertThat(ObservationFeatures.ageAt("", AS_OF)).isEmpty();
    }

    @Test
    void theBasisNamesTheObservationsAFeatureWasComputedFrom() throws Exception {
        String fhir = bundle(
                observation("8867-4", "2026-11-28T09:00:00Z", 104, "/min", "final").replace("\"status\"", "\"id\": \"hr-a\", \"status\""),
                observation("8867-4", "2026-11-28T10:00:00Z", 131, "/min", "final").replace("\"status\"",
                        "\"identifier\": [{\"system\": \"urn:lab\", \"value\": \"hr-b\"}], \"status\""),
                observation("2524-7", "2026-11-28T08:00:00Z", 3.4, "mmol/L", "final").replace("\"status\"", "\"id\": \"lac\", \"status\""));
        ObservationFeatures.Extraction e = ObservationFeatures.evaluate(ObservationFeatures.specs(card()), fhir, AS_OF);
        assertThat(e.basis()).containsEntry("heart_rate", List.of("urn:lab|hr-b")).containsEntry("lactate", List.of("Observation/lac"));
        assertThat(e.basis()).doesNotContainKey("temperature");
    }
}
