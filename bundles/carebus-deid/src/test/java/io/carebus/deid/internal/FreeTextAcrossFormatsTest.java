package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.TagFromName;
import io.carebus.api.deid.AssigningAuthorities;
import io.carebus.deid.PseudonymDomain;
import io.carebus.dicom.DicomDeidentifier;
import io.carebus.dicom.testing.TestImages;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The free-text detector behind every de-identifier: the issue's MDM^T02 discharge summary through the try-it path
 * (DeidService.deidentify, what POST /api/deid calls) leaks nothing; the same note about the same patient as an HL7v2
 * OBX, a FHIR Observation string and a DICOM image comment comes out the same (one pseudonym domain: the same date
 * shift, the same tags); numbers and codes of an ORU stay untouched.
 */
class FreeTextAcrossFormatsTest {

    private static final String NOTE = "Mr. Whitfield lives at 22 Old Mill Road with his daughter Emiko (319-555-0190). "
            + "Seen by Dr. Osei on 03/14/2026; e-mail emiko.t@example.com, MRN 00884422.";

    @TempDir
    Path dir;
    private DeidService deid;
    private PseudonymDomain domain;

    @BeforeEach
    void setUp() throws Exception {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        domain = new PseudonymDomain("k1", secret, 365);
        Vault vault = new Vault(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), "k1",
                Map.of("k1", secret), Clock.systemUTC());
        deid = new DeidService(domain, vault, Set.of(), dir.resolve("profiles"), new DicomDeidentifier.Options(true, true, true, false,
                Set.of(), DicomDeidentifier.BurnedIn.REJECT, List.of()));
    }

    private static String obx5(String er7, int index) {
        int n = 0;
        for (String line : er7.split("\r")) {
            if (line.startsWith("OBX|") && ++n == index) {
                return line.split("\\|", -1)[5];
            }
        }
        return null;
    }

    @Test
    void theIssuesDischargeSummaryLeaksNothingThroughTheTryItPath() {
        String mdm = String.join("\r",
                "MSH|^~\\&|EHR|GENHOSP|CAREBUS|CAREBUS|20260314120000||MDM^T02^MDM_T02|M1|P|2.5.1",
                "EVN|T02|20260314120000",
                "PID|1||884422^^^GENHOSP^MR||Whitfield^Harold||19400212|M",
                "PV1|1|I",
                "TXA|1|DS|TX|20260314120000",
                "OBX|1|TX|18842-5^Discharge summary^LN||He lives at 22 Old Mill Road with his daughter Emiko (319-555-0190).||||||F");
        String out = new String(deid.deidentify("application/hl7-v2", mdm.getBytes(StandardCharsets.UTF_8), "safe-harbor", "test"),
                StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("Emiko").doesNotContain("0190").doesNotContain("319-555").doesNotContain("Old Mill")
                .doesNotContain("Whitfield");
        assertThat(obx5(out, 1)).isEqualTo("He lives at [ADDRESS] with his daughter [NAME] ([PHONE]).");
    }

    @Test
    void theSameNoteGetsTheSameReplacementsAsHl7FhirAndDicom() throws Exception {
        String system = AssigningAuthorities.system("HOSP", "", "");
        String oru = String.join("\r",
                "MSH|^~\\&|RIS|GENHOSP|CAREBUS|CAREBUS|20260314120000||ORU^R01^ORU_R01|C1|P|2.5.1",
                "PID|1||884422^^^HOSP^MR||Whitfield^Harold||19400212|M",
                "OBR|1|O1|F1|18748-4^Diagnostic imaging study^LN|||20260314113000",
                "OBX|1|TX|18782-3^Radiology study observation^LN||" + NOTE + "||||||F");
        String hl7 = obx5(new String(deid.deidentify("application/hl7-v2", oru.getBytes(StandardCharsets.UTF_8), "safe-harbor", "t"),
                StandardCharsets.UTF_8), 1);

        Patient patient = new Patient();
        patient.setId("p1");
        patient.addIdentifier().setSystem(system).setValue("884422");
        patient.addName().setFamily("Whitfield").addGiven("Harold");
        Observation observation = new Observation();
        observation.setId("o1");
        observation.getSubject().setReference("Patient/p1");
        observation.setValue(new org.hl7.fhir.r4.model.StringType(NOTE));
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.COLLECTION);
        bundle.addEntry().setResource(patient);
        bundle.addEntry().setResource(observation);
        String json = deid.fhirContext().newJsonParser().encodeResourceToString(bundle);
        Bundle fhirOut = (Bundle) deid.parseFhir(new String(deid.deidentify("application/fhir+json", json.getBytes(StandardCharsets.UTF_8),
                "safe-harbor", "t"), StandardCharsets.UTF_8), false);
        String fhir = fhirOut.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Observation.class::isInstance)
                .map(r -> ((Observation) r).getValueStringType().getValue()).findFirst().orElseThrow();

        AttributeList list = TestImages.attributes(new TestImages.Spec(TestImages.CT, TestImages.uid(), TestImages.uid(), TestImages.uid(),
                16, 16, 1, -1024, "MONOCHROME2", false, (x, y) -> 1000 + x, "884422", "Whitfield^Harold", "CT", "CHEST"));
        DicomLeakageTest.put(list, new LongStringAttribute(TagFromName.IssuerOfPatientID), "HOSP");
        DicomLeakageTest.put(list, new LongTextAttribute(TagFromName.ImageComments), NOTE);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "TEST");
        list.write(bytes, "1.2.840.10008.1.2.1", true, true);
        String dicom = DicomLeakageTest.value(DicomLeakageTest.read(deid.deidentify("application/dicom", bytes.toByteArray(), null, "t")),
                TagFromName.ImageComments);

        String shifted = java.time.LocalDate.of(2026, 3, 14).plusDays(domain.dateShiftDays(
                new io.carebus.api.deid.PatientIdentifier(system, "884422"))).format(java.time.format.DateTimeFormatter.ofPattern("MM/dd/yyyy"));
        assertThat(hl7).isEqualTo("Mr. [NAME] lives at [ADDRESS] with his daughter [NAME] ([PHONE]). Seen by Dr. [NAME] on "
                + shifted + "; e-mail [EMAIL], MRN [ID].");
        assertThat(fhir).isEqualTo(hl7);
        assertThat(dicom).isEqualTo(hl7);
    }

    @Test
    void numbersAndCodesOfAnOruStayTextComponentsAreCleaned() {
        String oru = String.join("\r",
                "MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|20260314120000||ORU^R01^ORU_R01|C2|P|2.5.1",
                "PID|1||884422^^^HOSP^MR||Whitfield^Harold||19400212|M",
                "OBR|1|O1|F1|24323-8^Panel^LN|||20260314113000",
                "OBX|1|NM|2951-2^Sodium^LN||3195550190|mmol/L|||||F",
                "OBX|2|NM|8310-5^Body temperature^LN||20241105|Cel|||||F",
                "OBX|3|CWE|8251-1^Service comment^LN||260385009^Negative, called daughter Emiko 319-555-0190^SCT||||||F",
                "OBX|4|ST|8251-1^Comment^LN||Call daughter Emiko at 319-555-0190||||||F");
        String out = new String(deid.deidentify("application/hl7-v2", oru.getBytes(StandardCharsets.UTF_8), "safe-harbor", "t"),
                StandardCharsets.UTF_8);
        assertThat(obx5(out, 1)).isEqualTo("3195550190");
        assertThat(obx5(out, 2)).isEqualTo("20241105");
        assertThat(obx5(out, 3)).isEqualTo("260385009^Negative, called daughter [NAME] [PHONE]^SCT");
        assertThat(obx5(out, 4)).isEqualTo("Call daughter [NAME] at [PHONE]");
    }
}
