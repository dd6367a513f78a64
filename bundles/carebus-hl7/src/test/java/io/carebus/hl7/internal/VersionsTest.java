package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.store.MessageStatus;
import io.carebus.hl7.internal.fhir.R4Validation;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's claim "versions 2.1 to 2.8.1" (issue 26, item 7: HL7 v2.2, 2.4, 2.6, 2.7 and 2.8.1), each through the
 * real intake (AA, stored, parsed with the version's own structure) and processing's mapping (Patient, Encounter and
 * Condition of an ADT; DiagnosticReport and Observation of an ORU; R4-valid), written as each version writes them
 * (2.2: no MSH-9-3, PID-3 a CK, DG1-3 an ID with DG1-2 the coding method; 2.7+: CWE everywhere, MSH-9-3 required).
 * And {@code required.msh.fields}: every field the listener names must be valued.
 */
class VersionsTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private HapiContext headers;
    private Hl7Parsing parsing;
    private Hl7Intake intake;
    private final CanonicalForm processing = new CanonicalForm(FhirContext.forR4Cached(), ZoneOffset.UTC);

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        headers = new DefaultHapiContext(ValidationContextFactory.noValidation());
        AckControlIds ids = new AckControlIds();
        headers.getParserConfiguration().setIdGenerator(ids);
        parsing = new Hl7Parsing(ValidationMode.LENIENT, ids);
        intake = new Hl7Intake(new ListenerRules("versions", ListenerRules.ALL_VERSIONS, Set.of(), List.of(),
                ValidationMode.LENIENT, StandardCharsets.ISO_8859_1), store, parsing, headers.getPipeParser(), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        headers.close();
        parsing.close();
    }

    static Stream<String> versions() {
        return Stream.of("2.2", "2.4", "2.6", "2.7", "2.8.1");
    }

    private static boolean old(String version) {
        return "2.2".equals(version);
    }

    private static boolean cwe(String version) {
        return version.compareTo("2.7") >= 0;
    }

    private static String segment(String name, Object... positionsAndValues) {
        return io.carebus.hl7.internal.fhir.Segments.of(name, positionsAndValues);
    }

    static String adt(String version) {
        String structure = old(version) ? "ADT^A01" : "ADT^A01^ADT_A01";
        String dg1 = old(version) ? "DG1|1|I10|I21.4|Acute subendocardial MI|19991128100500|A"
                : "DG1|1||I21.4^Acute subendocardial MI^I10||20261128100500|A";
        String pid3 = old(version) ? "MRN-" + version + "^^M10" : "MRN-" + version + "^^^HOSP^MR";
        return "MSH|^~\\&|ADT|HOSP|CAREBUS|HOSP|20261128101000||" + structure + "|A01-" + version + "|P|" + version + "\r"
                + "EVN|A01|20261128101000\r"
                + "PID|1||" + pid3 + "||Muster^Anna||19800214|F\r"
                + segment("PV1", 1, 1, 2, "I", 3, "W3^312^B", 7, "1234^House^Gregory", 10, "MED", 19, "V-" + version) + "\r"
                + dg1 + "\r";
    }

    static String oru(String version) {
        String structure = old(version) ? "ORU^R01" : "ORU^R01^ORU_R01";
        String type = cwe(version) ? "CWE" : "CE";
        return "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128120000||" + structure + "|R01-" + version + "|P|" + version + "\r"
                + "PID|1||MRN-" + version + (old(version) ? "^^M10" : "^^^HOSP^MR") + "||Muster^Anna||19800214|F\r"
                + segment("OBR", 1, 1, 2, "PL-" + version, 3, "FL-" + version, 4, "2345-7^Glucose^LN", 7, "20261128113000", 25, "F") + "\r"
                + "OBX|1|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-5.6|N|||F|||20261128113500\r"
                + "OBX|2|" + type + "|8251-1^Service comment^LN||H^High^HL70078||||||F\r";
    }

    private Bundle acceptedAndMapped(String text, String version, String structure) throws Exception {
        IntakeOutcome outcome = intake.handle(text.getBytes(StandardCharsets.ISO_8859_1), "10.0.0.1:4000");
        assertThat(outcome.ackCode()).as(version).isEqualTo("AA");
        var stored = store.find(outcome.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(stored.message().versionId()).isEqualTo(version);
        var parsed = processing.parse(stored.message().payload());
        assertThat(parsed).as("read with HAPI's %s model, not generically", version).isNotInstanceOf(GenericMessage.class);
        assertThat(parsed.getName()).isEqualTo(structure);
        assertThat(parsed.getVersion()).isEqualTo(version);
        String json = processing.of(parsed, Long.toString(outcome.messageId())).orElseThrow().json();
        Bundle bundle = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, json);
        assertThat(R4Validation.errors(bundle)).as(version).isEmpty();
        return bundle;
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }

    @ParameterizedTest(name = "ADT^A01 v{0}")
    @MethodSource("versions")
    void anAdtOfTheVersionIsAcceptedAndMapped(String version) throws Exception {
        Bundle bundle = acceptedAndMapped(adt(version), version, "ADT_A01");
        Patient patient = all(bundle, Patient.class).get(0);
        assertThat(patient.getIdentifierFirstRep().getValue()).isEqualTo("MRN-" + version);
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1980-02-14");
        Encounter encounter = all(bundle, Encounter.class).get(0);
        assertThat(encounter.getIdentifierFirstRep().getValue()).as("PV1-19").isEqualTo("V-" + version);
        assertThat(encounter.getClass_().getCode()).isEqualTo("IMP");
        Condition dx = all(bundle, Condition.class).get(0);
        assertThat(dx.getCode().getCodingFirstRep().getCode()).isEqualTo("I21.4");
        assertThat(dx.getCode().getCodingFirstRep().getSystem()).as("DG1-3 (with DG1-2 in 2.2)").isEqualTo("http://hl7.org/fhir/sid/icd-10");
        assertThat(dx.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("encounter-diagnosis");
    }

    @ParameterizedTest(name = "ORU^R01 v{0}")
    @MethodSource("versions")
    void anOruOfTheVersionIsAcceptedAndMapped(String version) throws Exception {
        Bundle bundle = acceptedAndMapped(oru(version), version, "ORU_R01");
        DiagnosticReport report = all(bundle, DiagnosticReport.class).get(0);
        assertThat(report.getStatus().toCode()).isEqualTo("final");
        assertThat(report.getResult()).hasSize(2);
        Observation glucose = all(bundle, Observation.class).get(0);
        assertThat(glucose.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
        assertThat(glucose.getValueQuantity().getValue()).isEqualByComparingTo("5.4");
        assertThat(glucose.getValueQuantity().getCode()).isEqualTo("mmol/L");
        assertThat(glucose.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-11-28T11:35:00+00:00");
        assertThat(all(bundle, Observation.class).get(1).getValueCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("H");
    }

    @Test
    void everyRequiredMshFieldMustBeValued() throws Exception {
        Hl7Intake requiring = new Hl7Intake(new ListenerRules("versions", ListenerRules.ALL_VERSIONS, Set.of(), List.of(4, 6),
                ValidationMode.LENIENT, StandardCharsets.ISO_8859_1), store, parsing, headers.getPipeParser(), Clock.systemUTC());
        String both = adt("2.6");
        String noReceivingFacility = both.replace("|CAREBUS|HOSP|20261128101000|", "|CAREBUS||20261128101000|");
        String noSendingFacility = both.replace("|ADT|HOSP|CAREBUS|", "|ADT||CAREBUS|");

        assertThat(requiring.handle(both.getBytes(StandardCharsets.ISO_8859_1), "peer").ackCode()).isEqualTo("AA");
        for (String[] c : new String[][] {{noReceivingFacility, "MSH-6"}, {noSendingFacility, "MSH-4"}}) {
            IntakeOutcome refused = requiring.handle(c[0].replace("A01-2.6", "A01-" + c[1]).getBytes(StandardCharsets.ISO_8859_1), "peer");
            assertThat(refused.ackCode()).as(c[1]).isEqualTo("AE");
            var ack = new DefaultHapiContext(ValidationContextFactory.noValidation()).getPipeParser()
                    .parse(new String(refused.ack(), StandardCharsets.ISO_8859_1));
            assertThat(new Terser(ack).get("ERR-3-1")).isEqualTo("101");
            var stored = store.find(refused.messageId()).orElseThrow();
            assertThat(stored.status()).isEqualTo(MessageStatus.ERROR);
            assertThat(stored.error()).contains(c[1] + " is required");
        }
        // a listener that requires nothing takes the same messages
        assertThat(intake.handle(noReceivingFacility.getBytes(StandardCharsets.ISO_8859_1), "peer").ackCode()).isEqualTo("AA");
    }
}
