package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.FhirDeidentifier;
import io.carebus.deid.FreeTextScrubber;
import io.carebus.deid.Hl7Deidentifier;
import io.carebus.deid.PseudonymDomain;
import io.carebus.store.StoreDatabases;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leakage corpus: Synthea patients (FHIR Bundles, as generated) and the same patients rendered as HL7v2 ADT and
 * ORU messages whose free text (NTE, OBX TX) and Z-segments repeat the name, MRN, SSN, birth date (in several
 * spellings), phone and address, and as DICOM instances that repeat them in the header, nested sequences, comments,
 * descriptions and a private block. After de-identification no original identifier string may occur anywhere in the
 * output (case-insensitive); the count is printed and must be 0. Then: one pseudonym and one date shift per patient
 * across HL7v2, FHIR and DICOM, intervals kept, and a result for the pseudonym re-linked to the real patient.
 */
class LeakageTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String MR_SYSTEM = "http://hospital.smarthealthit.org";

    @TempDir
    Path dir;
    private DeidService deid;

    @BeforeEach
    void setUp() throws Exception {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        PseudonymDomain domain = new PseudonymDomain("k1", secret, 365);
        Vault vault = new Vault(database(), "k1", Map.of("k1", secret), Clock.systemUTC());
        deid = new DeidService(domain, vault, Set.of(), dir.resolve("profiles"));
    }

    /** The engine database the vault lives in: embedded H2 here, PostgreSQL in {@link PostgresLeakageTest}. */
    protected javax.sql.DataSource database() throws Exception {
        return StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
    }

    record Person(String family, String given, String mrn, String ssn, String phone, String line, String city, String zip,
                  LocalDate born) {
        /** Every string that identifies the person, in the spellings the corpus uses. */
        Set<String> originals() {
            Set<String> all = new LinkedHashSet<>(List.of(family, given, mrn, ssn, ssn.replace("-", ""), phone,
                    phone.replaceAll("[^0-9]", ""), line, city));
            for (String pattern : new String[] {"yyyy-MM-dd", "MM/dd/yyyy", "yyyyMMdd", "MMMM d, yyyy"}) {
                all.add(born.format(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH)));
            }
            all.removeIf(s -> s == null || s.isBlank());
            return all;
        }
    }

    private static Bundle synthea(String name) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Path.of("../carebus-fhir/src/test/resources/synthea/" + name + ".json.gz")))) {
            return FHIR.newJsonParser().parseResource(Bundle.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Person person(Bundle bundle) {
        Patient p = (Patient) bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).findFirst().orElseThrow();
        String mrn = p.getIdentifier().stream().filter(i -> MR_SYSTEM.equals(i.getSystem())).findFirst().orElseThrow().getValue();
        String ssn = p.getIdentifier().stream().filter(i -> "http://hl7.org/fhir/sid/us-ssn".equals(i.getSystem())).findFirst()
                .orElseThrow().getValue();
        return new Person(p.getNameFirstRep().getFamily(), p.getNameFirstRep().getGivenAsSingleString(), mrn, ssn,
                p.getTelecomFirstRep().getValue(), p.getAddressFirstRep().getLine().get(0).getValue(), p.getAddressFirstRep().getCity(),
                p.getAddressFirstRep().getPostalCode(), LocalDate.parse(p.getBirthDateElement().getValueAsString()));
    }

    /** The patient as an HL7v2.5.1 ADT^A01 and ORU^R01 with identifying free text everywhere it could hide. */
    private static List<String> hl7(Person x) {
        String dob = x.born().format(DateTimeFormatter.BASIC_ISO_DATE);
        String pid = "PID|1||" + x.mrn() + "^^^&" + MR_SYSTEM + "&URI^MR~" + x.ssn() + "^^^SSA^SS||" + x.family() + "^" + x.given()
                + "||" + dob + "|F|||" + x.line() + "^^" + x.city() + "^MA^" + x.zip() + "^USA||" + x.phone() + "|||||||" + x.ssn();
        String note = "Pt " + x.given() + " " + x.family().toUpperCase(Locale.ROOT) + " (MRN " + x.mrn() + ", SSN " + x.ssn()
                + ") born " + x.born().format(DateTimeFormatter.ofPattern("MM/dd/yyyy")) + "; lives at " + x.line() + ", " + x.city()
                + "; call " + x.phone() + ". DOB " + x.born() + " / " + x.born().format(DateTimeFormatter.ofPattern("MMMM d, yyyy",
                Locale.ENGLISH));
        String adt = String.join("\r",
                "MSH|^~\\&|EPIC|GENHOSP|CAREBUS|CAREBUS|20261127101500||ADT^A01^ADT_A01|ADT" + x.mrn() + "|P|2.5.1",
                "EVN|A01|20261127101500",
                pid,
                "NK1|1|" + x.family() + "^Pat^^^^^L|MTH|" + x.line() + "^^" + x.city() + "^MA^" + x.zip() + "|" + x.phone(),
                // The visit number in PV1-19, and the MRN again in PV1-18, where no profile expects an identifier.
                "PV1|1|I|ICU^101^A||||1234^Welby^Marcus|||||||||||T" + x.mrn() + "|V" + x.mrn() + "||||||||||||||||||||||||20261127090000",
                "NTE|1||" + note,
                "ZPI|1|" + x.mrn() + "|" + x.family() + "," + x.given());
        String oru = String.join("\r",
                "MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|20261127120000||ORU^R01^ORU_R01|ORU" + x.mrn() + "|P|2.5.1",
                pid,
                "ORC|RE|ORD" + x.mrn() + "|FIL" + x.mrn(),
                "OBR|1|ORD" + x.mrn() + "|FIL" + x.mrn() + "|2951-2^Sodium^LN|||20261127113000",
                "OBX|1|NM|2951-2^Sodium^LN||140|mmol/L|||||F|||20261127113000",
                "OBX|2|TX|11526-1^Pathology study^LN||Specimen of " + x.family() + ", " + x.given() + " DOB " + dob + " tel "
                        + x.phone().replaceAll("[^0-9]", "") + "||||||F",
                "NTE|1||Called " + x.phone() + " to report to " + x.given() + " " + x.family());
        return List.of(adt, oru);
    }

    /**
     * The patient as a CT instance whose header repeats the identifiers: patient module (name, MRN with the same
     * assigning authority as PID-3, birth date, address, phone), other patient ids (SSN), accession number, request
     * attributes, study description, image comments, a private block.
     */
    static byte[] dicom(Person x) throws Exception {
        String dob = x.born().format(DateTimeFormatter.BASIC_ISO_DATE);
        com.pixelmed.dicom.AttributeList list = io.carebus.dicom.testing.TestImages.attributes(new io.carebus.dicom.testing.TestImages.Spec(
                io.carebus.dicom.testing.TestImages.CT, io.carebus.dicom.testing.TestImages.uid(), io.carebus.dicom.testing.TestImages.uid(),
                io.carebus.dicom.testing.TestImages.uid(), 8, 8, 1, -1024, "MONOCHROME2", false, (c, r) -> c * r, x.mrn(),
                x.family() + "^" + x.given(), "CT", "CHEST"));
        com.pixelmed.dicom.AttributeTag qualifiers = com.pixelmed.dicom.TagFromName.IssuerOfPatientIDQualifiersSequence;
        list.put(DicomLeakageTest.sequence(qualifiers, DicomLeakageTest.item(
                new com.pixelmed.dicom.UniqueIdentifierAttribute(new com.pixelmed.dicom.AttributeTag(0x0040, 0x0032)), MR_SYSTEM,
                new com.pixelmed.dicom.CodeStringAttribute(new com.pixelmed.dicom.AttributeTag(0x0040, 0x0033)), "URI")));
        DicomLeakageTest.put(list, new com.pixelmed.dicom.DateAttribute(com.pixelmed.dicom.TagFromName.PatientBirthDate), dob);
        DicomLeakageTest.put(list, new com.pixelmed.dicom.LongStringAttribute(com.pixelmed.dicom.TagFromName.PatientAddress),
                x.line() + " " + x.city());
        DicomLeakageTest.put(list, new com.pixelmed.dicom.ShortStringAttribute(com.pixelmed.dicom.TagFromName.PatientTelephoneNumbers),
                x.phone());
        list.put(DicomLeakageTest.sequence(com.pixelmed.dicom.TagFromName.OtherPatientIDsSequence, DicomLeakageTest.item(
                new com.pixelmed.dicom.LongStringAttribute(com.pixelmed.dicom.TagFromName.PatientID), x.ssn())));
        DicomLeakageTest.put(list, new com.pixelmed.dicom.ShortStringAttribute(com.pixelmed.dicom.TagFromName.AccessionNumber),
                "A" + x.mrn().substring(0, 8));
        list.put(DicomLeakageTest.sequence(com.pixelmed.dicom.TagFromName.RequestAttributesSequence, DicomLeakageTest.item(
                new com.pixelmed.dicom.LongStringAttribute(com.pixelmed.dicom.TagFromName.RequestedProcedureDescription),
                "CT for " + x.given() + " " + x.family())));
        DicomLeakageTest.put(list, new com.pixelmed.dicom.LongStringAttribute(com.pixelmed.dicom.TagFromName.StudyDescription),
                "Chest CT " + x.family());
        DicomLeakageTest.put(list, new com.pixelmed.dicom.LongTextAttribute(com.pixelmed.dicom.TagFromName.ImageComments),
                "Pt " + x.given() + " " + x.family() + " MRN " + x.mrn() + " SSN " + x.ssn() + " DOB "
                        + x.born().format(DateTimeFormatter.ofPattern("MM/dd/yyyy")) + " tel " + x.phone() + " lives at " + x.line());
        DicomLeakageTest.put(list, new com.pixelmed.dicom.LongStringAttribute(new com.pixelmed.dicom.AttributeTag(0x0029, 0x0010)), "ACME 1.0");
        DicomLeakageTest.put(list, new com.pixelmed.dicom.LongStringAttribute(new com.pixelmed.dicom.AttributeTag(0x0029, 0x1010)),
                x.family() + " " + x.city());
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, io.carebus.dicom.testing.TestImages.EXPLICIT_LE, "TESTGEN");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        list.write(out, io.carebus.dicom.testing.TestImages.EXPLICIT_LE, true, true);
        return out.toByteArray();
    }

    private static List<String> leaks(String output, Set<String> originals) {
        String haystack = output.toLowerCase(Locale.ROOT);
        List<String> found = new ArrayList<>();
        for (String original : originals) {
            int at = haystack.indexOf(original.toLowerCase(Locale.ROOT));
            if (at >= 0) {
                // Where it was found helps whoever has to fix a leak; the corpus is synthetic.
                found.add(original + " in ..." + output.substring(Math.max(0, at - 60), Math.min(output.length(), at + 60)) + "...");
            }
        }
        return found;
    }

    @Test
    void noOriginalIdentifierSurvivesInHl7FhirOrDicom() throws Exception {
        int checked = 0;
        List<String> leaked = new ArrayList<>();
        for (String name : List.of("patient-1", "patient-2", "patient-3")) {
            Bundle bundle = synthea(name);
            Person x = person(bundle);
            for (String message : hl7(x)) {
                Hl7Deidentifier.Result result = deid.deidentifyHl7(message, "safe-harbor", "test");
                leaked.addAll(leaks(result.message(), x.originals()));
                checked++;
            }
            FhirDeidentifier.Result result = deid.deidentifyFhir(bundle, "test");
            leaked.addAll(leaks(FHIR.newJsonParser().encodeResourceToString(result.resource()), x.originals()));
            checked++;
            byte[] dicom = deid.deidentify("application/dicom", dicom(x), null, "test");
            leaked.addAll(leaks(new String(dicom, StandardCharsets.ISO_8859_1), x.originals()));
            checked++;
        }
        assertThat(deid.report().details()).containsEntry("hl7Messages", 6L).containsEntry("fhirResources", 3L)
                .containsEntry("dicomInstances", 3L);
        assertThat((Long) deid.report().details().get("fieldsChanged")).isGreaterThan(100);
        System.out.println("leakage corpus: " + checked + " documents, original identifier strings found after de-identification: "
                + leaked.size());
        assertThat(leaked).isEmpty();
    }

    @Test
    void onePatientHasOnePseudonymAndOneShiftInHl7FhirAndDicomAndIntervalsStay() throws Exception {
        Bundle bundle = synthea("patient-1");
        Person x = person(bundle);
        Encounter first = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Encounter.class::isInstance)
                .map(Encounter.class::cast).findFirst().orElseThrow();
        LocalDate start = LocalDate.parse(first.getPeriod().getStartElement().getValueAsString().substring(0, 10));
        LocalDate born = x.born();
        Hl7Deidentifier.Result hl7 = deid.deidentifyHl7(hl7(x).get(0), "safe-harbor", "test");
        FhirDeidentifier.Result fhir = deid.deidentifyFhir(bundle, "test");
        io.carebus.dicom.DicomDeidentifier.Result dicom = deid.deidentifyDicom(dicom(x), "test");
        assertThat(hl7.patient()).isEqualTo(new PatientIdentifier(MR_SYSTEM, x.mrn()));
        assertThat(dicom.patient()).isEqualTo(hl7.patient());
        assertThat(dicom.pseudonym()).isEqualTo(hl7.pseudonym());
        com.pixelmed.dicom.AttributeList image = DicomLeakageTest.read(dicom.part10());
        assertThat(DicomLeakageTest.value(image, com.pixelmed.dicom.TagFromName.PatientID)).isEqualTo(hl7.pseudonym());
        // the study date (2026-11-01 in the corpus) moved by the days the HL7v2 and FHIR dates moved
        assertThat(DicomLeakageTest.value(image, com.pixelmed.dicom.TagFromName.StudyDate))
                .isEqualTo(LocalDate.of(2026, 11, 1).plusDays(hl7.shiftDays()).format(DateTimeFormatter.BASIC_ISO_DATE));
        assertThat(fhir.patient()).isEqualTo(hl7.patient());
        assertThat(fhir.pseudonym()).isEqualTo(hl7.pseudonym()).startsWith("Pk1-");
        assertThat(fhir.shiftDays()).isEqualTo(hl7.shiftDays()).isNotZero().isBetween(-365, 365);

        Patient out = (Patient) bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).findFirst().orElseThrow();
        assertThat(out.getIdentifier()).allSatisfy(i -> assertThat(i.getSystem()).isEqualTo(FhirDeidentifier.PSEUDONYM_SYSTEM));
        LocalDate shiftedBirth = LocalDate.parse(out.getBirthDateElement().getValueAsString());
        LocalDate shiftedStart = LocalDate.parse(first.getPeriod().getStartElement().getValueAsString().substring(0, 10));
        assertThat(ChronoUnit.DAYS.between(shiftedBirth, shiftedStart)).isEqualTo(ChronoUnit.DAYS.between(born, start));
        assertThat(ChronoUnit.DAYS.between(born, shiftedBirth)).isEqualTo(fhir.shiftDays());
        // The HL7v2 birth date moved by the same days.
        String pid7 = hl7.message().split("\r")[2].split("\\|")[7];
        assertThat(LocalDate.parse(pid7, DateTimeFormatter.BASIC_ISO_DATE)).isEqualTo(shiftedBirth);
        assertThat(out.getMeta().getSecurity()).anyMatch(c -> "PSEUDED".equals(c.getCode()));
    }

    @Test
    void aResultForThePseudonymIsReLinkedToTheRealPatientAtTheEdge() throws Exception {
        Person x = person(synthea("patient-2"));
        DeidStep deidStep = new DeidStep(deid);
        ReidentifyStep reidentify = new ReidentifyStep(deid);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(hl7(x).get(1));
        deidStep.process(exchange, Map.of());
        String pseudonym = exchange.getMessage().getHeader("CareBusSubject", String.class);
        assertThat(exchange.getMessage().getBody(String.class)).doesNotContain(x.mrn()).contains(pseudonym);

        RiskAssessment result = new RiskAssessment();
        result.setSubject(new Reference().setType("Patient").setIdentifier(new Identifier()
                .setSystem(FhirDeidentifier.PSEUDONYM_SYSTEM).setValue(pseudonym)));
        Exchange out = new DefaultExchange(new DefaultCamelContext());
        out.getMessage().setBody(List.of(result));
        reidentify.process(out, Map.of());
        assertThat(result.getSubject().getIdentifier().getSystem()).isEqualTo(MR_SYSTEM);
        assertThat(result.getSubject().getIdentifier().getValue()).isEqualTo(x.mrn());

        RiskAssessment nobody = new RiskAssessment();
        nobody.setSubject(new Reference().setIdentifier(new Identifier().setSystem(FhirDeidentifier.PSEUDONYM_SYSTEM).setValue("Pk1-NOBODY")));
        out.getMessage().setBody(List.of(nobody));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reidentify.process(out, Map.of())).hasMessageContaining("not in the vault");
    }

    @Test
    void freeTextOfALaterMessageIsScrubbedOfWhatTheVaultLearntBefore() throws Exception {
        Person x = person(synthea("patient-3"));
        deid.deidentifyHl7(hl7(x).get(0), "safe-harbor", "test");
        // This message names the patient only by MRN in PID; its note mentions the phone number the vault learnt earlier.
        String later = String.join("\r",
                "MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|20261128080000||ORU^R01^ORU_R01|LATER1|P|2.5.1",
                "PID|1||" + x.mrn() + "^^^&" + MR_SYSTEM + "&URI^MR",
                "OBR|1|A1|B1|2951-2^Sodium^LN",
                "NTE|1||Reached patient at " + x.phone() + ", spoke to " + x.given());
        String out = deid.deidentifyHl7(later, "safe-harbor", "test").message();
        assertThat(leaks(out, Set.of(x.phone(), x.given(), x.mrn()))).isEmpty();
        assertThat(out).contains(FreeTextScrubber.MASK);
    }
}
