package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Specimen;
import org.junit.jupiter.api.Test;

/** Per segment map, the IG's expectations for the important fields, on the hand-written samples in mapping/. */
class SegmentMapsTest {

    private final Hl7FhirMapper mapper = new Hl7FhirMapper(Samples.ZONE);

    private Bundle sample(String name) throws Exception {
        return mapper.map(Samples.parse(Samples.hapi(false), Samples.text(name)), name).orElseThrow().bundle();
    }

    private static <T extends Resource> List<T> all(Bundle bundle, Class<T> type) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }

    private static String urlOf(Bundle bundle, Resource resource) {
        return bundle.getEntry().stream().filter(e -> e.getResource() == resource).findFirst().orElseThrow().getFullUrl();
    }

    private static Resource at(Bundle bundle, Reference reference) {
        return bundle.getEntry().stream().filter(e -> e.getFullUrl().equals(reference.getReference())).findFirst().orElseThrow().getResource();
    }

    @Test
    void dg1IsAnEncounterDiagnosisCodedInTheSendersSystem() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        List<Condition> conditions = all(bundle, Condition.class);
        assertThat(conditions).hasSize(3);
        Condition nstemi = conditions.get(0);
        assertThat(nstemi.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/sid/icd-10");
        assertThat(nstemi.getCode().getCodingFirstRep().getCode()).isEqualTo("I21.4");
        assertThat(nstemi.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("encounter-diagnosis");
        assertThat(nstemi.getClinicalStatus().getCodingFirstRep().getCode()).isEqualTo("active");
        assertThat(nstemi.getVerificationStatus().getCodingFirstRep().getCode()).as("DG1-6 A").isEqualTo("provisional");
        assertThat(nstemi.getOnsetDateTimeType().getValueAsString()).isEqualTo("2026-11-28T10:05:00+01:00");
        assertThat(nstemi.getSubject().getReference()).isEqualTo(urlOf(bundle, all(bundle, Patient.class).get(0)));
        Encounter encounter = all(bundle, Encounter.class).get(0);
        assertThat(nstemi.getEncounter().getReference()).isEqualTo(urlOf(bundle, encounter));
        assertThat(((Practitioner) at(bundle, nstemi.getAsserter())).getNameFirstRep().getFamily()).isEqualTo("House");
        assertThat(conditions.get(2).getCode().getCodingFirstRep().getSystem()).isEqualTo("http://snomed.info/sct");
        assertThat(conditions.get(2).getVerificationStatus().getCodingFirstRep().getCode()).as("DG1-6 F").isEqualTo("confirmed");
        assertThat(encounter.getDiagnosis()).hasSize(3);
        assertThat(encounter.getDiagnosisFirstRep().getUse().getCodingFirstRep().getCode()).isEqualTo("AD");
        assertThat(encounter.getDiagnosisFirstRep().getRank()).isEqualTo(1);
        assertThat(bundle.getEntry().stream().filter(e -> e.getResource() == nstemi).findFirst().orElseThrow().getRequest().getUrl())
                .as("conditional on visit + code").isEqualTo("Condition?identifier=urn%3Acarebus%3Ahl7v2%3Aid%3AGENHOSP%7CV5001-dx-I21.4");

        // 2.3: the coding system is DG1-2 (I9), the description DG1-4
        Condition ami = all(sample("adt-a03-v23.hl7"), Condition.class).get(0);
        assertThat(ami.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/sid/icd-9-cm");
        assertThat(ami.getCode().getCodingFirstRep().getDisplay()).isEqualTo("AMI NOS");
        // 2.8: DG1-20 is the diagnosis identifier, ICD-10-CM by I10C
        Condition pneumonia = all(sample("adt-a01-v28-iam.hl7"), Condition.class).get(0);
        assertThat(pneumonia.getIdentifierFirstRep().getValue()).isEqualTo("DX-9911");
        assertThat(pneumonia.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/sid/icd-10-cm");
    }

    @Test
    void al1AndIamAreAllergies() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        List<AllergyIntolerance> allergies = all(bundle, AllergyIntolerance.class);
        AllergyIntolerance penicillin = allergies.get(0);
        assertThat(penicillin.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
        assertThat(penicillin.getCategory()).extracting(c -> c.getValue().toCode()).containsExactly("medication");
        assertThat(penicillin.getCriticality().toCode()).isEqualTo("high");
        assertThat(penicillin.getReactionFirstRep().getSeverity().toCode()).isEqualTo("severe");
        assertThat(penicillin.getReactionFirstRep().getManifestation()).extracting(m -> m.getText()).containsExactly("Hives", "Anaphylaxis");
        assertThat(penicillin.getOnsetDateTimeType().getValueAsString()).isEqualTo("2010-03-04");
        assertThat(penicillin.getClinicalStatus().getCodingFirstRep().getCode()).isEqualTo("active");
        assertThat(allergies.get(1).getCategory()).extracting(c -> c.getValue().toCode()).containsExactly("food");

        AllergyIntolerance aspirin = all(sample("adt-a01-v28-iam.hl7"), AllergyIntolerance.class).get(0);
        assertThat(aspirin.getIdentifierFirstRep().getValue()).as("IAM-7").isEqualTo("IAM-77");
        assertThat(aspirin.getReactionFirstRep().getManifestationFirstRep().getCodingFirstRep().getCode()).isEqualTo("39579001");
        assertThat(aspirin.getVerificationStatus().getCodingFirstRep().getCode()).as("IAM-17 C").isEqualTo("confirmed");
        assertThat(aspirin.getRecordedDateElement().getValueAsString()).isEqualTo("2026-12-01T08:30:00+01:00");
    }

    @Test
    void nk1AndGt1AreRelatedPersons() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        List<RelatedPerson> related = all(bundle, RelatedPerson.class);
        assertThat(related).hasSize(3);
        RelatedPerson spouse = related.get(0);
        assertThat(spouse.getNameFirstRep().getFamily()).isEqualTo("Keller");
        assertThat(spouse.getRelationship()).flatExtracting(c -> c.getCoding()).extracting(c -> c.getSystem() + "#" + c.getCode())
                .containsExactly("http://terminology.hl7.org/CodeSystem/v2-0063#SPO", "http://terminology.hl7.org/CodeSystem/v2-0131#C");
        assertThat(spouse.getAddressFirstRep().getCity()).isEqualTo("Zurich");
        assertThat(spouse.getTelecomFirstRep().getValue()).isEqualTo("+41 (44) 5551235");
        assertThat(spouse.getPatient().getReference()).isEqualTo(urlOf(bundle, all(bundle, Patient.class).get(0)));
        RelatedPerson guarantor = related.get(2);
        assertThat(guarantor.getIdentifierFirstRep().getValue()).as("GT1-2").isEqualTo("G777");
        assertThat(guarantor.getRelationship()).extracting(c -> c.getText()).contains("guarantor");
        assertThat(all(sample("bar-p01-v231.hl7"), RelatedPerson.class)).as("GT1-11 SEL: the patient is the guarantor").isEmpty();
    }

    @Test
    void pv1PeopleAndPlacesAreResources() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        Encounter encounter = all(bundle, Encounter.class).get(0);
        Location bed = (Location) at(bundle, encounter.getLocationFirstRep().getLocation());
        assertThat(bed.getName()).isEqualTo("GENHOSP W3 312 B");
        assertThat(bed.getPhysicalType().getCodingFirstRep().getCode()).isEqualTo("bd");
        assertThat(bed.getIdentifierFirstRep().getValue()).isEqualTo("GENHOSP/W3/312/B");
        assertThat(encounter.getParticipant()).filteredOn(p -> p.hasType()).extracting(p -> p.getTypeFirstRep().getCodingFirstRep().getCode() + ":"
                + ((Practitioner) at(bundle, p.getIndividual())).getNameFirstRep().getFamily())
                .containsExactly("ATND:House", "REF:Wilson", "CON:Cuddy", "ADM:House");
        assertThat(encounter.getParticipant()).as("ROL: the PractitionerRole").extracting(p -> p.getIndividual().getType())
                .contains("PractitionerRole");
        assertThat(encounter.getParticipant().get(0).getIndividual().getReference())
                .as("one Practitioner for House").isEqualTo(encounter.getParticipant().get(3).getIndividual().getReference());
        assertThat(encounter.getReasonCodeFirstRep().getCodingFirstRep().getCode()).as("PV2-3").isEqualTo("R07.4");
        assertThat(encounter.getHospitalization().getReAdmission().getCodingFirstRep().getCode()).isNull();
        Patient patient = all(bundle, Patient.class).get(0);
        assertThat(patient.getGeneralPractitioner()).extracting(Reference::getType).containsExactly("Practitioner", "Organization");
    }

    @Test
    void in1IsCoverageWithThePayorOrganization() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        Coverage coverage = all(bundle, Coverage.class).get(0);
        Organization payor = (Organization) at(bundle, coverage.getPayorFirstRep());
        assertThat(payor.getName()).isEqualTo("Helvetia Health");
        assertThat(payor.getIdentifierFirstRep().getValue()).isEqualTo("INS01");
        assertThat(coverage.getIdentifierFirstRep().getValue()).as("IN1-36").isEqualTo("POL-778899");
        assertThat(coverage.getPeriod().getStartElement().getValueAsString()).isEqualTo("2026-01-01");
        assertThat(coverage.getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-12-31");
        assertThat(coverage.getClass_()).extracting(c -> c.getType().getCodingFirstRep().getCode() + "=" + c.getValue())
                .containsExactly("plan=PLAN-A");
        assertThat(coverage.getRelationship().getCodingFirstRep().getCode()).isEqualTo("self");
        assertThat(coverage.getOrder()).isEqualTo(1);
        assertThat(coverage.getSubscriberId()).as("IN2-61 when IN1-49 is empty").isEqualTo("MEM-55");
        assertThat(coverage.getBeneficiary().getReference()).isEqualTo(urlOf(bundle, all(bundle, Patient.class).get(0)));
    }

    @Test
    void pr1IsAProcedureAndRolAPractitionerRole() throws Exception {
        Bundle bundle = sample("adt-a03-v23.hl7");
        Procedure cabg = all(bundle, Procedure.class).get(0);
        assertThat(cabg.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://www.ama-assn.org/go/cpt");
        assertThat(cabg.getCode().getCodingFirstRep().getCode()).isEqualTo("33533");
        assertThat(cabg.getPerformedDateTimeType().getValueAsString()).isEqualTo("2003-12-11T10:30:00+01:00");
        assertThat(cabg.getStatus().toCode()).isEqualTo("completed");
        assertThat(cabg.getPerformerFirstRep().getFunction().getText()).isEqualTo("surgeon");
        assertThat(cabg.getEncounter().getReference()).isEqualTo(urlOf(bundle, all(bundle, Encounter.class).get(0)));

        Bundle a01 = sample("adt-a01-v251.hl7");
        PractitionerRole role = all(a01, PractitionerRole.class).get(0);
        assertThat(role.getCodeFirstRep().getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0443");
        assertThat(role.getCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("AT");
        assertThat(role.getIdentifierFirstRep().getValue()).isEqualTo("R1");
        assertThat(((Practitioner) at(a01, role.getPractitioner())).getIdentifierFirstRep().getValue()).isEqualTo("1234");
    }

    @Test
    void mshIsAMessageHeaderAndAProvenanceOfEverything() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        MessageHeader header = all(bundle, MessageHeader.class).get(0);
        assertThat(header.getEventCoding().getCode()).isEqualTo("A01");
        assertThat(header.getEventCoding().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0003");
        assertThat(header.getSource().getName()).isEqualTo("EPICADT");
        assertThat(((Organization) at(bundle, header.getSender())).getName()).isEqualTo("GENHOSP");
        Provenance provenance = all(bundle, Provenance.class).get(0);
        // everything but the MessageHeader, the Provenance and its agents (sender organization, EVN-5 operator)
        assertThat(provenance.getTarget()).hasSize(bundle.getEntry().size() - 4);
        assertThat(provenance.getTarget()).extracting(Reference::getType).doesNotContain("MessageHeader", "Provenance");
        assertThat(provenance.getRecordedElement().getValueAsString()).isEqualTo("2026-11-28T10:15:00+01:00");
        assertThat(provenance.getAgent()).extracting(a -> a.getType().getCodingFirstRep().getCode()).containsExactly("author", "enterer");
        assertThat(provenance.getEntityFirstRep().getWhat().getIdentifier().getValue()).isEqualTo("ADT0001");
        assertThat(bundle.getEntry().stream().filter(e -> e.getResource() == provenance).findFirst().orElseThrow()
                .getRequest().getUrl()).startsWith("Provenance/");
    }

    @Test
    void orcObrInAnOrderAreAServiceRequestWithItsNotesObservationsAndTiming() throws Exception {
        Bundle bundle = sample("orm-o01-v23.hl7");
        ServiceRequest cbc = all(bundle, ServiceRequest.class).get(0);
        assertThat(cbc.getIdentifier()).extracting(i -> i.getType().getCodingFirstRep().getCode() + "=" + i.getValue())
                .containsExactly("PLAC=ORD-100");
        assertThat(cbc.getStatus().toCode()).isEqualTo("active");
        assertThat(cbc.getIntent().toCode()).isEqualTo("order");
        assertThat(cbc.getCode().getCodingFirstRep().getCode()).isEqualTo("58410-2");
        assertThat(cbc.getAuthoredOnElement().getValueAsString()).isEqualTo("2006-01-02T10:00:00+01:00");
        assertThat(cbc.getPriority().toCode()).as("ORC-7.6 S").isEqualTo("stat");
        assertThat(cbc.getReasonCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("D64.9");
        assertThat(cbc.getNote()).extracting(n -> n.getText()).containsExactly("Suspected anemia", "Please call results");
        assertThat(((Practitioner) at(bundle, cbc.getRequester())).getNameFirstRep().getFamily()).isEqualTo("House");
        assertThat(cbc.getSupportingInfo()).hasSize(1);
        assertThat(((Observation) at(bundle, cbc.getSupportingInfoFirstRep())).getValueQuantity().getCode()).isEqualTo("Cel");

        assertThat(all(sample("orm-o01-v24-cancel.hl7"), ServiceRequest.class).get(0).getStatus().toCode()).isEqualTo("revoked");
        ServiceRequest sodium = all(sample("oml-o21-v25.hl7"), ServiceRequest.class).get(0);
        assertThat(sodium.getOccurrencePeriod().getStartElement().getValueAsString()).as("TQ1-7").isEqualTo("2026-11-28T09:00:00+01:00");
        assertThat(sodium.getOccurrencePeriod().getEndElement().getValueAsString()).isEqualTo("2026-11-28T10:00:00+01:00");
        assertThat(sodium.getPriority().toCode()).as("TQ1-9 R").isEqualTo("routine");
        assertThat(sodium.getSpecimen()).hasSize(1);
    }

    @Test
    void orcObrInResultsAreAReportBasedOnTheOrderAndSpmASpecimen() throws Exception {
        Bundle bundle = sample("oru-r01-v251.hl7");
        DiagnosticReport report = all(bundle, DiagnosticReport.class).get(0);
        ServiceRequest order = all(bundle, ServiceRequest.class).get(0);
        assertThat(report.getBasedOnFirstRep().getReference()).isEqualTo(urlOf(bundle, order));
        assertThat(order.getStatus().toCode()).as("ORC-5 CM").isEqualTo("completed");
        assertThat(order.getNoteFirstRep().getText()).as("NTE after OBR").isEqualTo("Fasting specimen");
        assertThat(((Practitioner) at(bundle, report.getResultsInterpreterFirstRep())).getNameFirstRep().getFamily())
                .as("OBR-32 name in subcomponents").isEqualTo("Path");
        Specimen blood = all(bundle, Specimen.class).get(0);
        assertThat(blood.getIdentifier()).extracting(i -> i.getValue()).containsExactly("SP-1F", "SP-1");
        assertThat(blood.getType().getCodingFirstRep().getCode()).isEqualTo("BLD");
        assertThat(blood.getType().getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0487");
        assertThat(blood.getCollection().getCollectedDateTimeType().getValueAsString()).isEqualTo("2026-11-28T09:15:00+01:00");
        assertThat(blood.getCollection().getMethod().getCodingFirstRep().getCode()).isEqualTo("VENIP");
        assertThat(blood.getCollection().getBodySite().getCodingFirstRep().getCode()).isEqualTo("LACF");
        assertThat(blood.getCollection().getQuantity().getValue()).isEqualByComparingTo("5");
        assertThat(blood.getReceivedTimeElement().getValueAsString()).isEqualTo("2026-11-28T09:20:00+01:00");
        assertThat(report.getSpecimenFirstRep().getReference()).isEqualTo(urlOf(bundle, blood));
        assertThat(all(bundle, Observation.class).get(0).getNote()).extracting(n -> n.getText()).containsExactly("Repeat recommended");
    }

    @Test
    void prbIsAProblemListCondition() throws Exception {
        Hl7FhirMapper.Mapped mapped = mapper.map(Samples.parse(Samples.hapi(false), Samples.text("ppr-pc1-v23.hl7")), "p").orElseThrow();
        Condition problem = all(mapped.bundle(), Condition.class).get(0);
        assertThat(problem.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("problem-list-item");
        assertThat(problem.getIdentifierFirstRep().getValue()).isEqualTo("PRB-77");
        assertThat(problem.getClinicalStatus().getCodingFirstRep().getCode()).isEqualTo("active");
        assertThat(problem.getVerificationStatus().getCodingFirstRep().getCode()).isEqualTo("confirmed");
        assertThat(problem.getOnsetDateTimeType().getValueAsString()).isEqualTo("2000-01-01");
        assertThat(problem.getRecordedDateElement().getValueAsString()).as("PRB-2 with 16 digits: the extra ones are a fraction")
                .isEqualTo("2004-06-29T16:58:00.00+02:00");
        assertThat(problem.getNoteFirstRep().getText()).isEqualTo("Well controlled on amlodipine");
        assertThat(problem.getEvidenceFirstRep().getDetailFirstRep().getType()).isEqualTo("Observation");
        assertThat(mapped.warnings()).isEmpty();
    }

    @Test
    void rf1AndPrdAreAReferral() throws Exception {
        Bundle bundle = sample("ref-i12-v25.hl7");
        ServiceRequest referral = all(bundle, ServiceRequest.class).get(0);
        assertThat(referral.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("3457005");
        assertThat(referral.getIdentifierFirstRep().getValue()).isEqualTo("REF-5555");
        assertThat(referral.getStatus().toCode()).isEqualTo("active");
        assertThat(referral.getPriority().toCode()).isEqualTo("routine");
        assertThat(referral.getReasonCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("R07.4");
        assertThat(referral.getRequester().getDisplay()).isEqualTo("Hans Gerber");
        assertThat(referral.getPerformer()).extracting(Reference::getDisplay).containsExactly("Gregory House");
        assertThat(referral.getSubject().getReference()).as("the PID after RF1").isEqualTo(urlOf(bundle, all(bundle, Patient.class).get(0)));
    }

    @Test
    void rxaInAVxuIsAnImmunization() throws Exception {
        Bundle bundle = sample("vxu-v04-v251.hl7");
        List<Immunization> immunizations = all(bundle, Immunization.class);
        Immunization hepB = immunizations.get(0);
        assertThat(hepB.getVaccineCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/sid/cvx");
        assertThat(hepB.getVaccineCode().getCodingFirstRep().getCode()).isEqualTo("08");
        assertThat(hepB.getOccurrenceDateTimeType().getValueAsString()).isEqualTo("2026-11-15T09:45:00-05:00");
        assertThat(hepB.getStatus().toCode()).isEqualTo("completed");
        assertThat(hepB.getPrimarySource()).isTrue();
        assertThat(hepB.getDoseQuantity().getValue()).isEqualByComparingTo("0.5");
        assertThat(hepB.getDoseQuantity().getCode()).isEqualTo("mL");
        assertThat(hepB.getLotNumber()).isEqualTo("LOT-HB-1");
        assertThat(((Organization) at(bundle, hepB.getManufacturer())).getName()).isEqualTo("Merck and Co., Inc.");
        assertThat(hepB.getPerformerFirstRep().getFunction().getCodingFirstRep().getCode()).isEqualTo("AP");
        assertThat(hepB.getRoute().getCodingFirstRep().getCode()).isEqualTo("C28161");
        assertThat(hepB.getSite().getCodingFirstRep().getCode()).isEqualTo("LT");
        assertThat(hepB.getIdentifierFirstRep().getValue()).as("ORC-3").isEqualTo("IZ-1001");
        Observation funding = all(bundle, Observation.class).get(0);
        assertThat(funding.getPartOfFirstRep().getReference()).isEqualTo(urlOf(bundle, hepB));
        Immunization refused = immunizations.get(1);
        assertThat(refused.getStatus().toCode()).isEqualTo("not-done");
        assertThat(refused.getStatusReason().getCodingFirstRep().getCode()).isEqualTo("00");
        assertThat(refused.hasDoseQuantity()).as("999 = unknown").isFalse();
    }

    @Test
    void txaAndObxAreADocumentReference() throws Exception {
        Bundle bundle = sample("mdm-t02-v25.hl7");
        DocumentReference summary = all(bundle, DocumentReference.class).get(0);
        assertThat(summary.getMasterIdentifier().getValue()).isEqualTo("DOC-7001");
        assertThat(summary.getType().getCodingFirstRep().getCode()).isEqualTo("DS");
        assertThat(summary.getStatus().toCode()).isEqualTo("current");
        assertThat(summary.getDocStatus().toCode()).as("TXA-17 AU").isEqualTo("final");
        assertThat(summary.getDateElement().getValueAsString()).isEqualTo("2026-11-28T14:00:00+01:00");
        assertThat(summary.getContentFirstRep().getAttachment().getContentType()).startsWith("text/plain");
        assertThat(new String(summary.getContentFirstRep().getAttachment().getData(), StandardCharsets.UTF_8))
                .isEqualTo("Patient admitted with NSTEMI.\nDischarged in stable condition.");
        assertThat(summary.getAuthor()).hasSize(1);
        assertThat(summary.getContext().getEncounterFirstRep().getReference()).isEqualTo(urlOf(bundle, all(bundle, Encounter.class).get(0)));

        DocumentReference consult = all(sample("mdm-t10-v26-pdf.hl7"), DocumentReference.class).get(0);
        assertThat(consult.getContentFirstRep().getAttachment().getContentType()).isEqualTo("application/pdf");
        assertThat(new String(consult.getContentFirstRep().getAttachment().getData(), StandardCharsets.US_ASCII)).startsWith("%PDF");
        assertThat(consult.getRelatesToFirstRep().getCode().toCode()).isEqualTo("replaces");
        assertThat(consult.getRelatesToFirstRep().getTarget().getIdentifier().getValue()).isEqualTo("DOC-7001");
    }

    @Test
    void schAndTheResourceSegmentsAreAnAppointment() throws Exception {
        Bundle bundle = sample("siu-s12-v251.hl7");
        Appointment appointment = all(bundle, Appointment.class).get(0);
        assertThat(appointment.getIdentifierFirstRep().getValue()).isEqualTo("APT-1F");
        assertThat(appointment.getStatus().toCode()).isEqualTo("booked");
        assertThat(appointment.getStartElement().getValueAsString()).isEqualTo("2026-12-05T10:00:00+01:00");
        assertThat(appointment.getEndElement().getValueAsString()).isEqualTo("2026-12-05T10:30:00+01:00");
        assertThat(appointment.getMinutesDuration()).isEqualTo(30);
        assertThat(appointment.getServiceTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("CARDFU");
        assertThat(appointment.getParticipant()).extracting(p -> p.getActor().getType() == null ? "display:" + p.getActor().getDisplay()
                : p.getActor().getType()).containsExactlyInAnyOrder("Practitioner", "Patient", "display:ECG machine", "Location");
        assertThat(appointment.getComment()).isEqualTo("Bring previous ECGs");

        Appointment shifted = all(sample("siu-s12-v23-shifted.hl7"), Appointment.class).get(0);
        assertThat(shifted.getStartElement().getValueAsString()).as("SCH-11 shifted: AIS-4").isEqualTo("2007-05-15T14:00:00+02:00");
        assertThat(shifted.getEndElement().getValueAsString()).isEqualTo("2007-05-15T14:30:00+02:00");
        Appointment cancelled = all(sample("siu-s15-v24.hl7"), Appointment.class).get(0);
        assertThat(cancelled.getStatus().toCode()).isEqualTo("cancelled");
        assertThat(cancelled.getIdentifierFirstRep().getValue()).as("the same appointment as the S12").isEqualTo("APT-1F");
    }

    @Test
    void pharmacySegmentsAreRequestDispenseAdministrationAndMedication() throws Exception {
        Bundle rde = sample("rde-o11-v25.hl7");
        MedicationRequest request = all(rde, MedicationRequest.class).get(0);
        Medication amlodipine = (Medication) at(rde, request.getMedicationReference());
        assertThat(amlodipine.getCode().getCodingFirstRep().getCode()).isEqualTo("197361");
        assertThat(amlodipine.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
        assertThat(request.getIdentifier()).extracting(i -> i.getValue()).containsExactly("RX-5001", "RXN-778");
        assertThat(request.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getValue()).isEqualByComparingTo("5");
        assertThat(request.getDosageInstructionFirstRep().getText()).isEqualTo("Take once daily");
        assertThat(request.getDosageInstructionFirstRep().getRoute().getCodingFirstRep().getCode()).as("RXR-1").isEqualTo("PO");
        assertThat(request.getDispenseRequest().getQuantity().getValue()).isEqualByComparingTo("30");
        assertThat(request.getDispenseRequest().getNumberOfRepeatsAllowed()).isEqualTo(3);
        assertThat(request.getSubstitution().getAllowedBooleanType().booleanValue()).isTrue();
        assertThat(request.getIntent().toCode()).isEqualTo("order");

        Bundle rds = sample("rds-o13-v25.hl7");
        MedicationDispense dispense = all(rds, MedicationDispense.class).get(0);
        assertThat(dispense.getAuthorizingPrescriptionFirstRep().getReference()).isEqualTo(urlOf(rds, all(rds, MedicationRequest.class).get(0)));
        assertThat(dispense.getWhenHandedOverElement().getValueAsString()).isEqualTo("2026-11-28T12:55:00+01:00");
        assertThat(dispense.getQuantity().getValue()).isEqualByComparingTo("30");
        assertThat(dispense.getMedicationReference().getReference())
                .as("one Medication per code").isEqualTo(all(rds, MedicationRequest.class).get(0).getMedicationReference().getReference());
        assertThat(dispense.getPerformerFirstRep().getActor().getDisplay()).isEqualTo("Phil Pharma");

        MedicationAdministration given = all(sample("ras-o17-v251.hl7"), MedicationAdministration.class).get(0);
        assertThat(given.getStatus().toCode()).isEqualTo("completed");
        assertThat(given.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-11-28T20:00:00+01:00");
        assertThat(given.getDosage().getDose().getValue()).isEqualByComparingTo("5");
        assertThat(given.getDosage().getRoute().getCodingFirstRep().getCode()).isEqualTo("PO");
    }

    @Test
    void ft1IsAChargeItem() throws Exception {
        Bundle bundle = sample("dft-p03-v25.hl7");
        ChargeItem ecg = all(bundle, ChargeItem.class).get(0);
        assertThat(ecg.getIdentifierFirstRep().getValue()).isEqualTo("TX-9001");
        assertThat(ecg.getCode().getCodingFirstRep().getCode()).isEqualTo("93000");
        assertThat(ecg.getStatus().toCode()).isEqualTo("billable");
        assertThat(ecg.getOccurrenceDateTimeType().getValueAsString()).isEqualTo("2026-11-28T12:00:00+01:00");
        assertThat(ecg.getQuantity().getValue()).isEqualByComparingTo("1");
        assertThat(ecg.getPriceOverride().getValue()).isEqualByComparingTo("45.00");
        assertThat(ecg.getPriceOverride().getCurrency()).isEqualTo("CHF");
        assertThat(ecg.getReasonFirstRep().getCodingFirstRep().getCode()).isEqualTo("I21.4");
        assertThat(ecg.getContext().getReference()).isEqualTo(urlOf(bundle, all(bundle, Encounter.class).get(0)));
        assertThat(ecg.getPerformerFirstRep().getActor().getDisplay()).isEqualTo("Gregory House");
    }

    // ---- issue 23, the segments that were left unmapped: GT1 -> Account, RXC, OBR-15, TQ1-4 ----

    @Test
    void gt1IsTheGuarantorOfThePatientsAccount() throws Exception {
        Bundle bundle = sample("adt-a01-v251.hl7");
        org.hl7.fhir.r4.model.Account account = all(bundle, org.hl7.fhir.r4.model.Account.class).get(0);
        Patient patient = all(bundle, Patient.class).get(0);
        assertThat(account.getStatus().toCode()).isEqualTo("active");
        assertThat(account.getSubjectFirstRep().getReference()).isEqualTo(urlOf(bundle, patient));
        assertThat(account.getIdentifierFirstRep().getValue()).as("no PID-18: derived from the patient").isEqualTo("MRN1001-account-billing");
        RelatedPerson guarantor = (RelatedPerson) at(bundle, account.getGuarantorFirstRep().getParty());
        assertThat(guarantor.getIdentifierFirstRep().getValue()).as("GT1-2").isEqualTo("G777");
        assertThat(account.getCoverage()).as("IN1 after GT1 is the account's coverage").hasSize(1);
        assertThat(at(bundle, account.getCoverageFirstRep().getCoverage())).isInstanceOf(Coverage.class);
        assertThat(all(bundle, Encounter.class).get(0).getAccount()).extracting(Reference::getReference)
                .containsExactly(urlOf(bundle, account));

        Bundle self = sample("bar-p01-v231.hl7");
        org.hl7.fhir.r4.model.Account own = all(self, org.hl7.fhir.r4.model.Account.class).get(0);
        assertThat(own.getIdentifierFirstRep().getValue()).as("PID-18").isEqualTo("ACC-2002");
        assertThat(own.getIdentifierFirstRep().getType().getCodingFirstRep().getCode()).isEqualTo("AN");
        assertThat(own.getGuarantorFirstRep().getParty().getReference()).as("GT1-11 SEL: the patient is the guarantor")
                .isEqualTo(urlOf(self, all(self, Patient.class).get(0)));
        assertThat(R4Validation.errors(bundle)).isEmpty();
        assertThat(R4Validation.errors(self)).isEmpty();
    }

    @Test
    void rxcComponentsAreTheIngredientsOfTheCompoundsMedication() throws Exception {
        Bundle bundle = sample("rde-o11-v25-compound.hl7");
        MedicationRequest order = all(bundle, MedicationRequest.class).get(0);
        Medication mix = (Medication) at(bundle, order.getMedicationReference());
        assertThat(mix.getIdentifierFirstRep().getValue()).as("no RXE-2: the order's own compound").isEqualTo("compound-RX-IV-9");
        assertThat(mix.getIngredient()).as("the repeated RXC is kept once").hasSize(2);
        Medication.MedicationIngredientComponent base = mix.getIngredient().get(0);
        assertThat(base.getItemCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("D5W");
        assertThat(base.getIsActive()).as("RXC-1 B").isFalse();
        assertThat(base.getStrength().getNumerator().getValue()).isEqualByComparingTo("1000");
        assertThat(base.getStrength().getNumerator().getCode()).isEqualTo("mL");
        Medication.MedicationIngredientComponent additive = mix.getIngredient().get(1);
        assertThat(additive.getItemCodeableConcept().getCodingFirstRep().getSystem()).isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
        assertThat(additive.getIsActive()).as("RXC-1 A").isTrue();
        assertThat(additive.getStrength().getNumerator().getValue()).isEqualByComparingTo("20");
        assertThat(additive.getStrength().getDenominator().getValue()).isEqualByComparingTo("1");

        // TQ1-4 of the pharmacy order: its times of day, bounded by TQ1-7/8
        org.hl7.fhir.r4.model.Timing timing = order.getDosageInstructionFirstRep().getTiming();
        assertThat(timing.getRepeat().getTimeOfDay()).extracting(t -> t.getValueAsString()).containsExactly("08:00:00", "20:00:00");
        assertThat(timing.getRepeat().getBoundsPeriod().getStartElement().getValueAsString()).isEqualTo("2026-11-28T08:00:00+01:00");
        assertThat(R4Validation.errors(bundle)).isEmpty();

        // a drug with a code keeps its shared Medication and gains the components (the real-world RDE with an RXC)
        Bundle coded = mapper.map(Samples.parse(Samples.hapi(false), String.join("\r",
                "MSH|^~\\&|CPOE|GENHOSP|||20261128110000+0100||RDE^O11^RDE_O11|RDE-2|P|2.5",
                "PID|1||MRN1001^^^GENHOSP^MR||Keller^Lea||19750312|F",
                "ORC|NW|RX-2^CPOE",
                "RXE||197361^Amlodipine^RXNORM|5||mg^mg^UCUM",
                "RXC|B|D5W^Dextrose 5%^L|1000|mL")), "k").orElseThrow().bundle();
        Medication amlodipine = all(coded, Medication.class).get(0);
        assertThat(amlodipine.getCode().getCodingFirstRep().getCode()).isEqualTo("197361");
        assertThat(amlodipine.getIngredient()).hasSize(1);
        assertThat(R4Validation.errors(coded)).isEmpty();
    }

    @Test
    void tq1ExplicitTimesWithColonsAreTheOrdersTimeOfDay() throws Exception {
        String sloppy = java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/realworld/oml-o21-v2.5.1-tq1-4-colons.hl7"),
                StandardCharsets.ISO_8859_1);
        Bundle bundle = mapper.map(Samples.parse(Samples.hapi(false), sloppy), "k").orElseThrow().bundle();
        ServiceRequest lipids = all(bundle, ServiceRequest.class).get(0);
        org.hl7.fhir.r4.model.Timing timing = lipids.getOccurrenceTiming();
        assertThat(timing.getRepeat().getTimeOfDay()).as("TQ1-4 11:30:05, as senders send it")
                .extracting(t -> t.getValueAsString()).containsExactly("11:30:05");
        assertThat(timing.getRepeat().getBoundsPeriod().getStartElement().getValueAsString()).as("TQ1-7")
                .isEqualTo("2026-11-02T09:00:00+01:00");
        assertThat(timing.getRepeat().getBoundsPeriod().getEndElement().getValueAsString()).as("TQ1-8")
                .isEqualTo("2026-11-09T09:00:00+01:00");
        assertThat(R4Validation.errors(bundle)).isEmpty();

        assertThat(V2DateTimes.toFhirTime("1130")).hasValue("11:30:00");
        assertThat(V2DateTimes.toFhirTime("113005.5+0100")).as("the offset has no place in a time of day").hasValue("11:30:05.5");
        assertThat(V2DateTimes.toFhirTime("2530")).as("hour 25").isEmpty();
        Hl7FhirMapper.Mapped bad = mapper.map(Samples.parse(Samples.hapi(false), String.join("\r",
                "MSH|^~\\&|CPOE|GENHOSP|||20261128||OML^O21^OML_O21|OML-9|P|2.5",
                "PID|1||MRN1001^^^GENHOSP^MR||Keller^Lea",
                "ORC|NW|ORD-9^CPOE",
                "TQ1|1|||noon",
                "OBR|1|ORD-9^CPOE||1920-8^AST^LN")), "k").orElseThrow();
        assertThat(bad.warnings()).extracting(MappingWarning::field).contains("TQ1-4");
        assertThat(all(bad.bundle(), ServiceRequest.class).get(0).hasOccurrence()).isFalse();
    }

    @Test
    void obr15IsTheSpecimenOfVersionsBeforeSpm() throws Exception {
        Bundle bundle = sample("oru-r01-v23-specimen-source.hl7");
        Specimen blood = all(bundle, Specimen.class).get(0);
        assertThat(blood.getType().getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0070");
        assertThat(blood.getType().getCodingFirstRep().getCode()).as("SPS-1").isEqualTo("BLD");
        assertThat(blood.getCollection().getMethod().getText()).as("SPS-3").isEqualTo("Venipuncture");
        assertThat(blood.getCollection().getBodySite().getCodingFirstRep().getCode()).as("SPS-4").isEqualTo("LA");
        assertThat(blood.getCollection().getCollectedDateTimeType().getValueAsString()).as("OBR-7").isEqualTo("1999-11-28T10:30:00+01:00");
        assertThat(blood.getReceivedTimeElement().getValueAsString()).as("OBR-14").isEqualTo("1999-11-28T11:00:00+01:00");
        assertThat(blood.getSubject().getReference()).isEqualTo(urlOf(bundle, all(bundle, Patient.class).get(0)));
        String url = urlOf(bundle, blood);
        assertThat(all(bundle, DiagnosticReport.class).get(0).getSpecimenFirstRep().getReference()).isEqualTo(url);
        assertThat(all(bundle, Observation.class).get(0).getSpecimen().getReference()).isEqualTo(url);
        assertThat(all(bundle, ServiceRequest.class).get(0).getSpecimenFirstRep().getReference()).isEqualTo(url);
        assertThat(R4Validation.errors(bundle)).isEmpty();
    }
}
