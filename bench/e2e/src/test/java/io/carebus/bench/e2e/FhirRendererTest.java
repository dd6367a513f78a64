package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.Test;

class FhirRendererTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private final FhirRenderer renderer = new FhirRenderer(FHIR, "t1");

    private static Bundle parse(String json) {
        IParser strict = FHIR.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        return strict.parseResource(Bundle.class, json);
    }

    private static ClinicalEvent first(ClinicalEvent.Kind kind) {
        return StreamGenerator.forPatient(0, false, Fixtures.spec(5)).stream().filter(e -> e.kind() == kind).findFirst().orElseThrow();
    }

    @Test
    void aTransactionBundleParsesWithThePatientByMrnAndOneObservationPerValue() throws Exception {
        ClinicalEvent vitals = first(ClinicalEvent.Kind.VITALS);
        Bundle bundle = parse(renderer.renderJson(vitals, Fixtures.patient(), Bundle.BundleType.TRANSACTION));
        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
        assertThat(bundle.getEntry()).hasSize(1 + vitals.values().size());
        Patient patient = (Patient) bundle.getEntryFirstRep().getResource();
        assertThat(patient.getIdentifierFirstRep().getSystem()).isEqualTo("urn:oid:2.999.1");
        assertThat(patient.getIdentifierFirstRep().getValue()).isEqualTo("MRN-T0");
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1951-03-14");
        assertThat(patient.getGender().toCode()).isEqualTo("female");
        assertThat(bundle.getEntryFirstRep().getRequest().getIfNoneExist()).isEqualTo("identifier=urn:oid:2.999.1|MRN-T0");
        String patientUrl = bundle.getEntryFirstRep().getFullUrl();
        List<Observation> observations = bundle.getEntry().stream().skip(1).map(e -> (Observation) e.getResource()).toList();
        assertThat(bundle.getEntry().stream().skip(1)).allSatisfy(e -> {
            assertThat(e.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
            assertThat(e.getRequest().getUrl()).isEqualTo("Observation");
            assertThat(e.getFullUrl()).startsWith("urn:uuid:");
        });
        for (Observation obs : observations) {
            Feature f = feature(obs.getCode().getCodingFirstRep().getCode());
            assertThat(obs.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
            assertThat(obs.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
            assertThat(obs.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("vital-signs");
            assertThat(obs.getSubject().getReference()).isEqualTo(patientUrl);
            assertThat(obs.getEffectiveDateTimeType().getValue().toInstant()).isEqualTo(vitals.time());
            Quantity q = obs.getValueQuantity();
            assertThat(q.getSystem()).isEqualTo("http://unitsofmeasure.org");
            assertThat(q.getCode()).isEqualTo(f.ucum());
            assertThat(q.getValue()).isEqualByComparingTo(vitals.values().get(f));
        }
        Set<Feature> sent = observations.stream().map(o -> feature(o.getCode().getCodingFirstRep().getCode())).collect(Collectors.toSet());
        assertThat(sent).isEqualTo(vitals.values().keySet());
    }

    @Test
    void labsAreLaboratoryObservationsInACollectionBundle() throws Exception {
        ClinicalEvent labs = first(ClinicalEvent.Kind.LABS);
        Bundle bundle = parse(renderer.renderJson(labs, Fixtures.patient(), Bundle.BundleType.COLLECTION));
        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
        assertThat(bundle.getEntry()).allSatisfy(e -> assertThat(e.getRequest().isEmpty()).isTrue());
        assertThat(bundle.getEntry().stream().skip(1).map(e -> (Observation) e.getResource()))
                .allSatisfy(o -> assertThat(o.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("laboratory"))
                .extracting(o -> o.getCode().getCodingFirstRep().getCode()).containsExactly("6690-2", "2524-7");
    }

    @Test
    void anAdmissionIsThePatientAloneAndTheSameEventRendersTheSameBundle() throws Exception {
        ClinicalEvent admit = first(ClinicalEvent.Kind.ADMIT);
        String a = renderer.renderJson(admit, Fixtures.patient(), Bundle.BundleType.TRANSACTION);
        assertThat(parse(a).getEntry()).hasSize(1);
        assertThat(renderer.renderJson(admit, Fixtures.patient(), Bundle.BundleType.TRANSACTION)).isEqualTo(a);
        assertThat(new FhirRenderer(FHIR, "t2").renderJson(admit, Fixtures.patient(), Bundle.BundleType.TRANSACTION)).isNotEqualTo(a);
    }

    @Test
    void onlyTransactionOrCollection() {
        assertThatThrownBy(() -> renderer.render(first(ClinicalEvent.Kind.ADMIT), Fixtures.patient(), Bundle.BundleType.BATCH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Feature feature(String loinc) {
        return java.util.Arrays.stream(Feature.values()).filter(f -> f.loinc().equals(loinc)).findFirst().orElseThrow();
    }
}
