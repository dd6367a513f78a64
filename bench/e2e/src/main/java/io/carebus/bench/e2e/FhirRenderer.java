package io.carebus.bench.e2e;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.parser.IParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * Renders the feed's events as FHIR R4 Bundles for {@code POST /fhir}: the Patient (identified by the same MRN as in
 * PID-3, system {@code urn:oid:2.999.1}) and one Observation per value (LOINC code, UCUM quantity, effective time,
 * category vital-signs or laboratory, status final). A {@code transaction} Bundle creates the Patient only if none
 * has the MRN yet ({@code ifNoneExist}) and posts the Observations; a {@code collection} Bundle just carries them.
 * Full URLs and Observation identifiers are name-based UUIDs of the run tag, patient and step, so a seed and run tag
 * always give the same Bundle.
 */
public final class FhirRenderer {

    public static final String OBSERVATION_ID_SYSTEM = "urn:carebus:e2e:observation";
    private static final String CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";

    private final FhirContext fhir;
    private final String runTag;

    public FhirRenderer(FhirContext fhir, String runTag) {
        this.fhir = fhir;
        this.runTag = runTag;
    }

    public String renderJson(ClinicalEvent event, DemoPatient patient, Bundle.BundleType type) {
        IParser parser = fhir.newJsonParser();
        return parser.encodeResourceToString(render(event, patient, type));
    }

    public Bundle render(ClinicalEvent event, DemoPatient patient, Bundle.BundleType type) {
        if (type != Bundle.BundleType.TRANSACTION && type != Bundle.BundleType.COLLECTION) {
            throw new IllegalArgumentException("transaction or collection, not " + type);
        }
        Bundle bundle = new Bundle().setType(type);
        String patientUrl = "urn:uuid:" + uuid("patient", event.patient(), patient.mrn());
        Bundle.BundleEntryComponent pe = bundle.addEntry().setFullUrl(patientUrl).setResource(patient(patient));
        if (type == Bundle.BundleType.TRANSACTION) {
            pe.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient")
                    .setIfNoneExist("identifier=" + DemoPatient.MRN_SYSTEM + "|" + patient.mrn());
        }
        for (Map.Entry<Feature, BigDecimal> value : event.values().entrySet()) {
            Observation obs = observation(event, value.getKey(), value.getValue(), patientUrl);
            Bundle.BundleEntryComponent oe = bundle.addEntry()
                    .setFullUrl("urn:uuid:" + uuid("obs", event.patient(), patient.mrn() + "/" + event.step() + "/" + value.getKey().loinc()))
                    .setResource(obs);
            if (type == Bundle.BundleType.TRANSACTION) {
                oe.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
            }
        }
        return bundle;
    }

    static Patient patient(DemoPatient p) {
        Patient patient = new Patient();
        Identifier mrn = patient.addIdentifier().setUse(Identifier.IdentifierUse.USUAL).setSystem(DemoPatient.MRN_SYSTEM).setValue(p.mrn());
        mrn.getType().addCoding().setSystem(V2_0203).setCode("MR");
        patient.addName().setFamily(p.family()).addGiven(p.given());
        if (p.birthDate() != null) {
            patient.getBirthDateElement().setValueAsString(p.birthDate().toString());
        }
        if (p.gender() != null) {
            patient.setGender(AdministrativeGender.fromCode(p.gender()));
        }
        if (p.city() != null || p.state() != null) {
            patient.addAddress().setCity(p.city()).setState(p.state());
        }
        return patient;
    }

    private Observation observation(ClinicalEvent event, Feature feature, BigDecimal value, String patientUrl) {
        Observation obs = new Observation();
        obs.addIdentifier().setSystem(OBSERVATION_ID_SYSTEM)
                .setValue(runTag + "-" + event.patient() + "-" + event.step() + "-" + feature.loinc());
        obs.setStatus(Observation.ObservationStatus.FINAL);
        boolean vitals = feature.source() == Feature.Source.VITALS;
        obs.addCategory(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(CATEGORY_SYSTEM,
                vitals ? "vital-signs" : "laboratory", vitals ? "Vital Signs" : "Laboratory")));
        obs.getCode().addCoding().setSystem(Feature.LOINC).setCode(feature.loinc()).setDisplay(feature.display());
        obs.getCode().setText(feature.display());
        obs.setSubject(new Reference(patientUrl));
        DateTimeType effective = new DateTimeType(Date.from(event.time()), TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC"));
        obs.setEffective(effective);
        obs.setValue(new Quantity().setValue(value).setUnit(feature.ucum()).setSystem(Feature.UCUM).setCode(feature.ucum()));
        return obs;
    }

    private UUID uuid(String kind, int patient, String detail) {
        return UUID.nameUUIDFromBytes((runTag + "/" + kind + "/" + patient + "/" + detail).getBytes(StandardCharsets.UTF_8));
    }
}
