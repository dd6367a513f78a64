package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

class Hl7FhirMapperTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private final HapiContext hapi = new DefaultHapiContext(ValidationContextFactory.noValidation());
    private final Hl7FhirMapper mapper = new Hl7FhirMapper(ZoneId.of("Europe/Zurich"));

    {
        hapi.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    }

    private Hl7FhirMapper.Mapped map(String... segments) throws Exception {
        Message message = hapi.getPipeParser().parse(String.join("\r", segments));
        Hl7FhirMapper.Mapped mapped = mapper.map(message, "42").orElseThrow();
        // Every mapping must survive a round trip through HAPI's strict JSON parser.
        String json = FHIR.newJsonParser().encodeResourceToString(mapped.bundle());
        FHIR.newJsonParser().setParserErrorHandler(new ca.uhn.fhir.parser.StrictErrorHandler()).parseResource(Bundle.class, json);
        return mapped;
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }

    private static final String PID = "PID|1||MRN123^^^HOSP^MR~999-88-7777^^^SSA^SS||Muster^Anna^Maria^^Dr.^^L||19800214|F|||"
            + "Bahnhofstr. 1^Apt 2^Zurich^ZH^8001^CH^H||^PRN^PH^^41^44^1234567~^NET^Internet^anna@example.org|^WPN^PH^^^^7654321||M";

    @Test
    void adtA01IsAPatientAndAnEncounterInProgress() throws Exception {
        Hl7FhirMapper.Mapped mapped = map(
                "MSH|^~\\&|ADT|HOSP|CAREBUS|HOSP|20261128101500+0100||ADT^A01^ADT_A01|C1|P|2.5.1",
                "EVN|A01|20261128101500",
                PID,
                "PV1|1|I|W3^312^B^HOSP||||1234^House^Gregory^^^^^^HOSP|||MED|||||||||V9001^^^HOSP^VN|||||||||||||||||||||||||20261128100000");
        Patient patient = all(mapped.bundle(), Patient.class).get(0);
        assertThat(patient.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
                .containsExactly("urn:carebus:hl7v2:id:HOSP|MRN123", "urn:carebus:hl7v2:id:SSA|999-88-7777");
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Muster");
        assertThat(patient.getNameFirstRep().getGiven()).extracting(Object::toString).containsExactly("Anna", "Maria");
        assertThat(patient.getNameFirstRep().getPrefixAsSingleString()).isEqualTo("Dr.");
        assertThat(patient.getNameFirstRep().getUse().toCode()).isEqualTo("official");
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1980-02-14");
        assertThat(patient.getGender().toCode()).isEqualTo("female");
        assertThat(patient.getAddressFirstRep().getCity()).isEqualTo("Zurich");
        assertThat(patient.getAddressFirstRep().getLine()).hasSize(2);
        assertThat(patient.getAddressFirstRep().getUse().toCode()).isEqualTo("home");
        assertThat(patient.getTelecom()).extracting(t -> t.getSystem().toCode() + ":" + t.getUse().toCode() + ":" + t.getValue())
                .containsExactly("phone:home:+41 (44) 1234567", "email:home:anna@example.org", "phone:work:7654321");
        assertThat(patient.getMaritalStatus().getCodingFirstRep().getCode()).isEqualTo("M");
        assertThat(mapped.bundle().getEntryFirstRep().getRequest().getUrl())
                .as("conditional on the MRN").isEqualTo("Patient?identifier=urn%3Acarebus%3Ahl7v2%3Aid%3AHOSP%7CMRN123");
        assertThat(mapped.patientIdentifiers()).contains("urn:carebus:hl7v2:id:HOSP|MRN123");

        Encounter encounter = all(mapped.bundle(), Encounter.class).get(0);
        assertThat(encounter.getStatus().toCode()).isEqualTo("in-progress");
        assertThat(encounter.getClass_().getCode()).isEqualTo("IMP");
        assertThat(encounter.getIdentifierFirstRep().getValue()).isEqualTo("V9001");
        assertThat(encounter.getPeriod().getStartElement().getValueAsString()).isEqualTo("2026-11-28T10:00:00+01:00");
        assertThat(encounter.getLocationFirstRep().getLocation().getDisplay()).isEqualTo("HOSP W3 312 B");
        assertThat(encounter.getParticipantFirstRep().getIndividual().getDisplay()).isEqualTo("Gregory House");
        assertThat(encounter.getSubject().getReference()).isEqualTo(mapped.bundle().getEntryFirstRep().getFullUrl());
    }

    @Test
    void adtA03FinishesTheEncounterAndA08WithADischargeTimeToo() throws Exception {
        String pv1 = "PV1|1|E|||||||||||||||||V77^^^HOSP|||||||||||||||||||||||||20261127080000|20261128090000";
        Encounter discharged = all(map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A03|C2|P|2.5", PID, pv1).bundle(), Encounter.class).get(0);
        assertThat(discharged.getStatus().toCode()).isEqualTo("finished");
        assertThat(discharged.getClass_().getCode()).isEqualTo("EMER");
        assertThat(discharged.getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-11-28T09:00:00+01:00");

        Encounter updated = all(map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A08|C3|P|2.3", PID, pv1).bundle(), Encounter.class).get(0);
        assertThat(updated.getStatus().toCode()).isEqualTo("finished");
        Encounter admitted = all(map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A04|C4|P|2.3", PID,
                "PV1|1|O|||||||||||||||||V78").bundle(), Encounter.class).get(0);
        assertThat(admitted.getStatus().toCode()).isEqualTo("in-progress");
        assertThat(admitted.getClass_().getCode()).isEqualTo("AMB");
    }

    @Test
    void adtA40LinksTheSurvivingAndTheRetiredPatient() throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A40^ADT_A39|C5|P|2.5",
                "EVN|A40|20261128", "PID|1||MRN123^^^HOSP^MR||Muster^Anna", "MRG|MRN999^^^HOSP^MR");
        List<Patient> patients = all(mapped.bundle(), Patient.class);
        assertThat(patients).hasSize(2);
        Patient survivor = patients.get(0);
        Patient retired = patients.get(1);
        assertThat(retired.getIdentifierFirstRep().getValue()).isEqualTo("MRN999");
        assertThat(retired.getActive()).isFalse();
        assertThat(retired.getLinkFirstRep().getType().toCode()).isEqualTo("replaced-by");
        assertThat(retired.getLinkFirstRep().getOther().getReference()).isEqualTo(mapped.bundle().getEntry().get(0).getFullUrl());
        assertThat(survivor.getLinkFirstRep().getType().toCode()).isEqualTo("replaces");
        assertThat(mapped.patientIdentifiers()).containsExactly("urn:carebus:hl7v2:id:HOSP|MRN123", "urn:carebus:hl7v2:id:HOSP|MRN999");
        assertThat(all(mapped.bundle(), Encounter.class)).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"A40, ADT_A39", "A34, ADT_A30", "A18, ADT_A18"})
    void aPatientMergeRetiresMrg1AndMrg4EvenWithPd1BetweenPidAndMrg(String trigger, String structure) throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^" + trigger + "^" + structure + "|C8|P|2.5",
                "EVN|" + trigger + "|20261128", "PID|1||MRN123^^^HOSP^MR||Muster^Anna||19800214|F", "PD1|||Clinic Zurich^^42",
                "MRG|MRN999^^^HOSP^MR~4711^^^^PI|||EXT-7^^^EXTERNAL");
        List<Patient> patients = all(mapped.bundle(), Patient.class);
        assertThat(patients).hasSize(2);
        Patient survivor = patients.get(0);
        Patient retired = patients.get(1);
        assertThat(survivor.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
                .containsExactly("urn:carebus:hl7v2:id:HOSP|MRN123");
        assertThat(survivor.getLink()).hasSize(1);
        assertThat(survivor.getLinkFirstRep().getType()).isEqualTo(Patient.LinkType.REPLACES);
        String retiredUrl = mapped.bundle().getEntry().stream().filter(e -> e.getResource() == retired).findFirst().orElseThrow().getFullUrl();
        assertThat(survivor.getLinkFirstRep().getOther().getReference()).isEqualTo(retiredUrl);
        // an identifier without an authority gets the sending facility's, as PID-3 does: one identifier, one system
        assertThat(retired.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue()).containsExactly(
                "urn:carebus:hl7v2:id:HOSP|MRN999", "urn:carebus:hl7v2:id:HOSP|4711", "urn:carebus:hl7v2:id:EXTERNAL|EXT-7");
        assertThat(retired.getIdentifierFirstRep().getType().getCodingFirstRep().getCode()).isEqualTo("MR");
        assertThat(retired.getActive()).isFalse();
        assertThat(retired.getLinkFirstRep().getType()).isEqualTo(Patient.LinkType.REPLACEDBY);
        assertThat(retired.getLinkFirstRep().getOther().getReference()).isEqualTo(mapped.bundle().getEntry().get(0).getFullUrl());
        assertThat(mapped.bundle().getEntry().stream().filter(e -> e.getResource() == retired).findFirst().orElseThrow()
                .getRequest().getUrl()).isEqualTo("Patient?identifier=urn%3Acarebus%3Ahl7v2%3Aid%3AHOSP%7CMRN999");
    }

    @Test
    void anAccountOrVisitMergeAndAnMrgNamingTheSurvivorItselfRetireNobody() throws Exception {
        // A41 merges two accounts (A42 two visits) of one patient: whatever MRG-1 says, no patient is retired
        Hl7FhirMapper.Mapped account = map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A41^ADT_A39|C9|P|2.5", "EVN|A41|20261128",
                "PID|1||MRN123^^^HOSP^MR||Muster^Anna", "MRG|MRN999^^^HOSP^MR||ACC-1^^^HOSP");
        assertThat(all(account.bundle(), Patient.class)).hasSize(1);
        assertThat(all(account.bundle(), Patient.class).get(0).getLink()).isEmpty();
        Hl7FhirMapper.Mapped self = map("MSH|^~\\&|ADT|HOSP|||20261128||ADT^A40^ADT_A39|C10|P|2.5", "EVN|A40|20261128",
                "PID|1||MRN123^^^HOSP^MR||Muster^Anna", "MRG|MRN123^^^HOSP^MR");
        assertThat(all(self.bundle(), Patient.class)).as("the survivor never retires itself").hasSize(1);
        assertThat(all(self.bundle(), Patient.class).get(0).hasActive()).as("not marked inactive").isFalse();
        assertThat(all(self.bundle(), Patient.class).get(0).getLink()).isEmpty();
    }

    @Test
    void oruR01IsAReportWithOneObservationPerObxTypedByObx2() throws Exception {
        String pdf = java.util.Base64.getEncoder().encodeToString("%PDF-1.4 report".getBytes(StandardCharsets.US_ASCII));
        Hl7FhirMapper.Mapped mapped = map(
                "MSH|^~\\&|LAB|HOSP|||20261128120000||ORU^R01^ORU_R01|C6|P|2.5.1",
                "PID|1||MRN123^^^HOSP^MR||Muster^Anna||19800214|F",
                "OBR|1|PL1^ORDERS|FL1^LAB^1.2.3^ISO|24323-8^Comprehensive metabolic panel^LN|||20261128113000+0100|||||||||||||||20261128115959+0100|||F",
                "OBX|1|NM|2345-7^Glucose^LN||182|mg/dL^^UCUM|70-99|H|||F|||20261128113500+0100",
                "NTE|1||fasting sample",
                "OBX|2|NM|2160-0^Creatinine^LN||1.1|mg/dL|0.6-1.2|N|||C",
                "OBX|3|ST|8251-1^Service comment^LN||hemolysed||||||P",
                "OBX|4|TX|11526-1^Pathology study^LN||line one~line two||||||F",
                "OBX|5|FT|48767-8^Annotation^LN||first\\.br\\second||||||F",
                "OBX|6|CWE|5778-6^Color of Urine^LN||YEL^Yellow^HL70000||||||F",
                "OBX|7|SN|777-3^Platelets^LN||<^10|10*3/uL|150-400|LL|||F",
                "OBX|8|SN|5334-8^Rubella titer^LN||^1^:^128||||||F",
                "OBX|9|ED|11502-2^Laboratory report^LN||^AP^PDF^Base64^" + pdf + "||||||F");
        Bundle bundle = mapped.bundle();
        DiagnosticReport report = all(bundle, DiagnosticReport.class).get(0);
        assertThat(report.getStatus().toCode()).isEqualTo("final");
        assertThat(report.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
        assertThat(report.getCode().getCodingFirstRep().getCode()).isEqualTo("24323-8");
        assertThat(report.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
                .containsExactly("urn:oid:1.2.3|FL1", "urn:carebus:hl7v2:id:ORDERS|PL1");
        assertThat(report.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-11-28T11:30:00+01:00");
        assertThat(report.getIssuedElement().getValueAsString()).isEqualTo("2026-11-28T11:59:59+01:00");
        assertThat(report.getPresentedFormFirstRep().getContentType()).isEqualTo("application/pdf");
        assertThat(new String(report.getPresentedFormFirstRep().getData(), StandardCharsets.US_ASCII)).startsWith("%PDF");

        List<Observation> obs = all(bundle, Observation.class);
        assertThat(obs).as("ED went to the report, not to an Observation").hasSize(8);
        assertThat(report.getResult()).hasSize(8);
        Observation glucose = obs.get(0);
        Quantity q = glucose.getValueQuantity();
        assertThat(q.getValue()).isEqualByComparingTo("182");
        assertThat(q.getSystem()).isEqualTo("http://unitsofmeasure.org");
        assertThat(q.getCode()).isEqualTo("mg/dL");
        assertThat(glucose.getReferenceRangeFirstRep().getLow().getValue()).isEqualByComparingTo("70");
        assertThat(glucose.getReferenceRangeFirstRep().getHigh().getValue()).isEqualByComparingTo("99");
        assertThat(glucose.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("H");
        assertThat(glucose.getStatus().toCode()).isEqualTo("final");
        assertThat(glucose.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-11-28T11:35:00+01:00");
        assertThat(glucose.getNoteFirstRep().getText()).isEqualTo("fasting sample");
        assertThat(glucose.getIdentifierFirstRep().getValue()).isEqualTo("FL1-2345-7");
        assertThat(glucose.getSubject().getReference()).isEqualTo(bundle.getEntryFirstRep().getFullUrl());

        Observation creatinine = obs.get(1);
        assertThat(creatinine.getStatus().toCode()).isEqualTo("corrected");
        assertThat(creatinine.getValueQuantity().getCode()).as("mg/dL is UCUM even unnamed").isEqualTo("mg/dL");
        assertThat(creatinine.getEffectiveDateTimeType().getValueAsString()).as("OBR-7 when OBX-14 is empty")
                .isEqualTo("2026-11-28T11:30:00+01:00");
        assertThat(obs.get(2).getValueStringType().getValue()).isEqualTo("hemolysed");
        assertThat(obs.get(2).getStatus().toCode()).isEqualTo("preliminary");
        assertThat(obs.get(3).getValueStringType().getValue()).isEqualTo("line one\nline two");
        assertThat(obs.get(4).getValueStringType().getValue()).isEqualTo("first\nsecond");
        assertThat(obs.get(5).getValueCodeableConcept().getCodingFirstRep().getDisplay()).isEqualTo("Yellow");
        Quantity platelets = obs.get(6).getValueQuantity();
        assertThat(platelets.getComparator().toCode()).isEqualTo("<");
        assertThat(platelets.getCode()).isEqualTo("10*3/uL");
        assertThat(obs.get(6).getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("LL");
        assertThat(obs.get(7).getValueRatio().getDenominator().getValue()).isEqualByComparingTo("128");

        assertThat(bundle.getEntry()).allSatisfy(e -> assertThat(e.getRequest().getMethod()).isNotNull());
        assertThat(bundle.getEntry().stream().filter(e -> e.getResource() instanceof Observation).findFirst().orElseThrow()
                .getRequest().getUrl()).startsWith("Observation?identifier=");
    }

    @Test
    void oldVersionsAndOddInputStillMap() throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|LAB|HOSP|||199901011200||ORU^R01|C7|P|2.3",
                "PID|||12345||Doe^John||19500101|X",
                "OBR|1||F9|GLU^Glucose^L|||199901011130",
                "OBX|1|NM|GLU^Glucose^L||not-a-number|K/uL|<5|WEIRD|||Q");
        Patient patient = all(mapped.bundle(), Patient.class).get(0);
        assertThat(patient.getIdentifierFirstRep().getSystem()).as("no assigning authority: the sending facility")
                .isEqualTo("urn:carebus:hl7v2:id:HOSP");
        assertThat(patient.getGender().toCode()).isEqualTo("unknown");
        Observation obs = all(mapped.bundle(), Observation.class).get(0);
        assertThat(obs.getValueStringType().getValue()).as("a bad NM is kept as text, not dropped").isEqualTo("not-a-number");
        assertThat(obs.getStatus().toCode()).isEqualTo("unknown");
        assertThat(obs.getInterpretationFirstRep().getText()).isEqualTo("WEIRD");
        assertThat(obs.getReferenceRangeFirstRep().getHigh().getValue()).isEqualByComparingTo("5");
        assertThat(obs.getCode().getCodingFirstRep().getSystem()).isEqualTo("urn:carebus:hl7v2:codesystem:L");
        assertThat(obs.getEffectiveDateTimeType().getValueAsString()).isEqualTo("1999-01-01T11:30:00+01:00");
    }

    @Test
    void messageTypesWithoutAMappingAreEmpty() throws Exception {
        Message query = hapi.getPipeParser().parse("MSH|^~\\&|A|B|||20261128||QRY^A19|C8|P|2.5\rQRD|20261128|R|I|Q1");
        assertThat(mapper.map(query, "1")).isEmpty();
        Message ack = hapi.getPipeParser().parse("MSH|^~\\&|A|B|||20261128||ACK^A01|C9|P|2.5\rMSA|AA|C1");
        assertThat(mapper.map(ack, "1")).isEmpty();
    }

    @Test
    void datesKeepTheirPrecision() {
        ZoneId zurich = ZoneId.of("Europe/Zurich");
        assertThat(V2DateTimes.toFhir("2026", zurich)).hasValue("2026");
        assertThat(V2DateTimes.toFhir("202611", zurich)).hasValue("2026-11");
        assertThat(V2DateTimes.toFhir("20260701", zurich)).hasValue("2026-07-01");
        assertThat(V2DateTimes.toFhir("202607011230", zurich)).hasValue("2026-07-01T12:30:00+02:00");
        assertThat(V2DateTimes.toFhir("20260701123045.12-0500", zurich)).hasValue("2026-07-01T12:30:45.12-05:00");
        assertThat(V2DateTimes.toFhir("2026130112", zurich)).as("month 13 with a time").isEmpty();
        assertThat(V2DateTimes.toFhir("yesterday", zurich)).isEmpty();
    }

    /** Issue 26: the calendar was checked only when a time was given, so "20261301" became "2026-13-01". */
    @Test
    void invalidCalendarDatesAreRefusedWithOrWithoutATime() {
        ZoneId zurich = ZoneId.of("Europe/Zurich");
        assertThat(V2DateTimes.toFhir("20261301", zurich)).as("month 13").isEmpty();
        assertThat(V2DateTimes.toFhir("202613", zurich)).as("month 13, no day").isEmpty();
        assertThat(V2DateTimes.toFhir("202600", zurich)).as("month 0").isEmpty();
        assertThat(V2DateTimes.toFhir("20260230", zurich)).as("30 February").isEmpty();
        assertThat(V2DateTimes.toFhir("20250229", zurich)).as("29 February of a common year").isEmpty();
        assertThat(V2DateTimes.toFhir("20240229", zurich)).as("29 February of a leap year").hasValue("2024-02-29");
        assertThat(V2DateTimes.toFhirDate("20261301")).as("a DT").isEmpty();
    }

    @Test
    void anInvalidDateIsAWarningAndAnOmittedElementNotAFalseDate() throws Exception {
        Hl7FhirMapper.Mapped mapped = map("MSH|^~\\&|REG|HOSP|||20261128||ADT^A01|C10|P|2.5",
                "PID|||12345^^^HOSP^MR||Doe^John||20261301|M",
                "PV1|1|I|W1^101^1||||||||||||||||V1|||||||||||||||||||||||||20261301");
        Patient patient = all(mapped.bundle(), Patient.class).get(0);
        assertThat(patient.hasBirthDate()).as("PID-7 month 13 is left out").isFalse();
        Encounter encounter = all(mapped.bundle(), Encounter.class).get(0);
        assertThat(encounter.getPeriod().hasStart()).as("PV1-44 month 13 is left out").isFalse();
        assertThat(mapped.warnings()).extracting(MappingWarning::field).contains("PID-7", "PV1-44");
        assertThat(mapped.warnings()).filteredOn(w -> w.field().equals("PV1-44")).singleElement()
                .satisfies(w -> assertThat(w.length()).isEqualTo(8));
        assertThat(R4Validation.errors(mapped.bundle())).isEmpty();
    }
}
