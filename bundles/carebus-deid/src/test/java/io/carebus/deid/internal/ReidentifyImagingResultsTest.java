package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.deid.FhirDeidentifier;
import io.carebus.deid.PseudonymDomain;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.testing.TestImages;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results of an imaging model on a de-identified DICOM exchange (as the shipped dicom-ai-triage pipeline makes
 * them) are re-linked to the real patient at the edge, the heatmap's Binary included: it names its patient in
 * {@code securityContext}, not {@code subject}. Found writing DicomTriageIT (which looks the Binary up by the real
 * Patient ID): the Binary kept LOCAL named the pseudonym, so the real patient's search missed it and an EHR would get a
 * Binary whose access rules name a patient it does not know.
 */
class ReidentifyImagingResultsTest {

    @TempDir
    Path dir;

    @Test
    void theHeatmapBinaryAndItsDocumentReferenceNameTheRealPatient() throws Exception {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        Vault vault = new Vault(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), "k1", Map.of("k1", secret),
                Clock.systemUTC());
        DeidService deid = new DeidService(new PseudonymDomain("k1", secret, 365), vault, Set.of(), dir.resolve("profiles"));

        // A DICOM instance's exchange as the gateway hands it to the route: the kept file and its ImagingStudy.
        Path file = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 16, (x, y) -> 1000), dir.resolve("ct.dcm"));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(DicomHeaders.FILE, file);
        exchange.getMessage().setBody("{\"resourceType\":\"ImagingStudy\",\"status\":\"available\","
                + "\"subject\":{\"type\":\"Patient\",\"identifier\":{\"system\":\"urn:carebus:dicom:patient-id\",\"value\":\"PAT-0001\"}}}");
        new DeidStep(deid).process(exchange, Map.of());
        String subject = exchange.getMessage().getHeader("CareBusSubjectReference", String.class);
        assertThat(subject).startsWith(FhirDeidentifier.PSEUDONYM_SYSTEM + "|");

        // What carebus:fhir-results makes of the heatmap: a Binary (patient in securityContext) and its DocumentReference.
        Reference pseudonymous = new Reference().setType("Patient").setIdentifier(new Identifier()
                .setSystem(FhirDeidentifier.PSEUDONYM_SYSTEM).setValue(subject.substring(subject.indexOf('|') + 1)));
        Binary binary = new Binary();
        binary.setContentType("image/png");
        binary.setSecurityContext(pseudonymous.copy());
        DocumentReference document = new DocumentReference();
        document.setSubject(pseudonymous.copy());
        Exchange results = new DefaultExchange(new DefaultCamelContext());
        results.getMessage().setBody(List.of(binary, document));
        new ReidentifyStep(deid).process(results, Map.of());

        assertThat(document.getSubject().getIdentifier().getValue()).isEqualTo("PAT-0001");
        assertThat(binary.getSecurityContext().getIdentifier().getValue()).isEqualTo("PAT-0001");
        assertThat(binary.getSecurityContext().getIdentifier().getSystem())
                .isEqualTo(document.getSubject().getIdentifier().getSystem()).isNotEqualTo(FhirDeidentifier.PSEUDONYM_SYSTEM);
    }
}
