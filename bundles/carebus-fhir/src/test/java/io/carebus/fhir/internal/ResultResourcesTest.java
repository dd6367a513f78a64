package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.SingleValidationMessage;
import io.carebus.api.Sha256;
import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.ModelId;
import io.carebus.api.model.Prediction;
import io.carebus.fhir.ResultResources;
import io.carebus.fhir.testing.SharedValidation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.Test;

/** Every result the engine builds passes the HAPI validator against the R4 base definitions with no errors. */
class ResultResourcesTest {

    private static final ModelId MODEL = new ModelId("sepsis-risk", "1.2.0", Sha256.of(new byte[32]));
    private static final ModelCard.ModelOutput RISK = new ModelCard.ModelOutput("sepsis_risk", "probability", 0.5, "RiskAssessment",
            "http://snomed.info/sct|91302008");
    private static final Prediction PREDICTION = new Prediction(MODEL, "pseudo-123", Instant.parse("2026-11-27T10:15:30Z"),
            Sha256.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                    30, 31, 32}), Map.of("sepsis_risk", 0.8123456), false);
    private static final Explanation EXPLANATION = new Explanation("linear-shap", -1.2, 1.46, List.of(
            new Explanation.FeatureContribution("lactate", 4.1, "mmol/L", 1.9),
            new Explanation.FeatureContribution("heart_rate", 112, "/min", 0.6),
            new Explanation.FeatureContribution("temperature", 36.9, "Cel", 0.16)), null, 1, 0.02);

    private final ResultResources results = ResultResources.forNode("carebus-1");
    private final Reference subject = new Reference().setType("Patient")
            .setIdentifier(new Identifier().setSystem("urn:oid:1.2.36.146.595.217.0.1").setValue("12345"));

    private static void assertValid(Resource resource) {
        List<SingleValidationMessage> errors = SharedValidation.get().errors(resource);
        assertThat(errors).as(() -> resource.fhirType() + ": " + errors.stream().map(m -> m.getLocationString() + " " + m.getMessage()).toList()
                + "\n" + FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true).encodeResourceToString(resource)).isEmpty();
    }

    @Test
    void riskAssessmentIsValidAndCarriesTheExplanation() {
        RiskAssessment risk = results.riskAssessment(PREDICTION, RISK, subject, EXPLANATION);
        assertValid(risk);
        assertThat(risk.getPredictionFirstRep().getProbabilityDecimalType().getValue()).isEqualByComparingTo("0.8123");
        assertThat(risk.getPredictionFirstRep().getQualitativeRisk().getCodingFirstRep().getCode()).isEqualTo("high");
        assertThat(risk.getPerformer().getIdentifier().getValue()).isEqualTo("sepsis-risk@1.2.0");
        Extension explanation = risk.getExtensionByUrl(ResultResources.EXPLANATION_URL);
        List<Extension> contributions = explanation.getExtensionsByUrl(ResultResources.CONTRIBUTION_URL);
        assertThat(contributions).hasSize(3);
        assertThat(contributions.get(0).getExtensionByUrl("feature").getValue().primitiveValue()).isEqualTo("lactate");
        assertThat(risk.getMeta().getSecurityFirstRep().getCode()).isEqualTo(ResultResources.AI_LABEL_CODE);
    }

    @Test
    void theNarrativeIsXhtmlWithItsTextEscaped() {
        ModelCard.ModelOutput odd = new ModelCard.ModelOutput("sepsis & shock <x>", "probability", 0.5, "RiskAssessment",
                "http://snomed.info/sct|91302008");
        Prediction prediction = new Prediction(MODEL, PREDICTION.subjectPseudonym(), PREDICTION.at(), PREDICTION.inputHash(),
                Map.of("sepsis & shock <x>", 0.8123456), false);
        RiskAssessment risk = results.riskAssessment(prediction, odd, subject, EXPLANATION);
        assertValid(risk);
        String json = FhirContext.forR4Cached().newJsonParser().encodeResourceToString(risk);
        assertThat(json).contains("\"status\":\"generated\"")
                .contains("\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">Risk of ")
                .contains("sepsis &amp; shock &lt;x&gt;").contains(": 0.812 (model ");
        RiskAssessment back = FhirContext.forR4Cached().newJsonParser().parseResource(RiskAssessment.class, json);
        assertThat(back.getText().getDiv().allText()).contains("sepsis & shock <x>");
    }

    @Test
    void theSamePredictionAlwaysGetsTheSameIdentifierAndAnotherInputAnother() {
        String first = results.riskAssessment(PREDICTION, RISK, subject, null).getIdentifierFirstRep().getValue();
        String again = results.riskAssessment(PREDICTION, RISK, subject, EXPLANATION).getIdentifierFirstRep().getValue();
        Prediction other = new Prediction(MODEL, "pseudo-123", PREDICTION.at(), Sha256.of(new byte[32]), PREDICTION.outputs(), false);
        assertThat(again).isEqualTo(first);
        assertThat(results.riskAssessment(other, RISK, subject, null).getIdentifierFirstRep().getValue()).isNotEqualTo(first);
        assertThat(results.riskAssessment(PREDICTION, RISK, subject, null).getIdentifierFirstRep().getSystem()).isEqualTo("urn:carebus:carebus-1");
    }

    @Test
    void observationIsValid() {
        Observation observation = results.observation(PREDICTION, new ModelCard.ModelOutput("sepsis_risk", "probability", 0.5,
                "Observation", "http://loinc.org|LP1234-5"), subject, EXPLANATION);
        assertValid(observation);
        assertThat(observation.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("H");
    }

    @Test
    void conditionIsValidProvisionalAndOnlyAboveThreshold() {
        Condition condition = results.condition(PREDICTION, RISK, subject);
        assertValid(condition);
        assertThat(condition.getVerificationStatus().getCodingFirstRep().getCode()).isEqualTo("provisional");
        Prediction low = new Prediction(MODEL, "p", PREDICTION.at(), PREDICTION.inputHash(), Map.of("sepsis_risk", 0.1), false);
        assertThatThrownBy(() -> results.condition(low, RISK, subject)).hasMessageContaining("threshold");
    }

    @Test
    void diagnosticReportWithHeatmapDocumentIsValid() {
        Explanation heatmap = new Explanation("grad-cam", 0, 0.9, List.of(), new Explanation.Heatmap(2, 2, new double[] {0, 1, 0.5, 0.2},
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}), 2, 30);
        DocumentReference doc = results.heatmapDocument(PREDICTION, subject, heatmap);
        assertValid(doc);
        Observation observation = results.observation(PREDICTION, new ModelCard.ModelOutput("sepsis_risk", "probability", 0.5,
                "Observation", "http://loinc.org|LP1234-5"), subject, null);
        // Validated as the builder emits it, unchanged.
        DiagnosticReport report = results.diagnosticReport(PREDICTION, RISK, subject,
                List.of(ResultResources.referenceTo(observation, observation.getIdentifierFirstRep())), "Nodule likely (0.81)",
                ResultResources.referenceTo(doc, doc.getIdentifierFirstRep()));
        assertValid(report);
        // DiagnosticReport.result references Observations only: the builder refuses anything else rather than emit it.
        RiskAssessment risk = results.riskAssessment(PREDICTION, RISK, subject, null);
        assertThatThrownBy(() -> results.diagnosticReport(PREDICTION, RISK, subject,
                List.of(ResultResources.referenceTo(risk, risk.getIdentifierFirstRep())), "x", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Observation");
    }

    @Test
    void heatmapAsBinaryAndDocumentReferencePointingAtItAreValid() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0};
        Explanation heatmap = new Explanation("grad-cam (activations)", 0.2, 0.9, List.of(),
                new Explanation.Heatmap(2, 2, new double[] {0, 1, 0.5, 0.2}, png), 3, 12);
        org.hl7.fhir.r4.model.Binary binary = results.heatmapBinary(PREDICTION, subject, heatmap);
        assertValid(binary);
        assertThat(binary.getIdElement().getIdPart()).startsWith("cb-");
        assertThat(binary.getData()).isEqualTo(png);
        assertThat(binary.getSecurityContext().getIdentifier().getValue()).isEqualTo(subject.getIdentifier().getValue());
        DocumentReference doc = results.heatmapDocument(PREDICTION, subject, heatmap, binary);
        assertValid(doc);
        org.hl7.fhir.r4.model.Attachment attachment = doc.getContentFirstRep().getAttachment();
        assertThat(attachment.getUrl()).isEqualTo("Binary/" + binary.getIdElement().getIdPart());
        assertThat(attachment.hasData()).isFalse();
        assertThat(attachment.getSize()).isEqualTo(png.length);
        assertThat(attachment.getHash()).isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(png));
        // The same prediction gives the same Binary id (PUT is idempotent), another prediction another id.
        assertThat(results.heatmapBinary(PREDICTION, subject, heatmap).getIdElement().getIdPart())
                .isEqualTo(binary.getIdElement().getIdPart());
    }

    @Test
    void modelDeviceAndProvenanceAreValid() {
        assertValid(results.modelDevice(MODEL, "CareBus demo vendor"));
        RiskAssessment risk = results.riskAssessment(PREDICTION, RISK, subject, null);
        Provenance provenance = results.provenance(List.of(ResultResources.referenceTo(risk, risk.getIdentifierFirstRep())), PREDICTION,
                List.of(41L, 42L), "linear-shap");
        assertValid(provenance);
        assertThat(provenance.getEntity()).hasSize(2);
        assertThat(provenance.getAgent()).extracting(a -> a.getType().getCodingFirstRep().getCode())
                .containsExactly("performer", "assembler");
    }

    @Test
    void theBasisReferencesTheObservationsTheFeaturesCameFrom() {
        RiskAssessment risk = results.riskAssessment(PREDICTION, RISK, new Reference("Patient/p"), null);
        ResultResources.basis(risk, List.of("urn:oid:1.2.3|LAB-7-2524-7", "Observation/hr-1", "urn:carebus:fhir-id|Observation/bp-2",
                "urn:carebus:context|0a1b2c"));
        assertThat(risk.getBasis()).hasSize(3);
        assertThat(risk.getBasis().get(0).getType()).isEqualTo("Observation");
        assertThat(risk.getBasis().get(0).getIdentifier().getSystem()).isEqualTo("urn:oid:1.2.3");
        assertThat(risk.getBasis().get(0).getIdentifier().getValue()).isEqualTo("LAB-7-2524-7");
        assertThat(risk.getBasis().get(1).getReference()).isEqualTo("Observation/hr-1");
        assertThat(risk.getBasis().get(2).getReference()).isEqualTo("Observation/bp-2");
        ResultResources.basis(risk, java.util.Collections.nCopies(500, "urn:x|y"));
        assertThat(risk.getBasis()).hasSize(100);
    }
}
