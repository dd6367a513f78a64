package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.Prediction;
import io.carebus.camel.RouteStep;
import io.carebus.fhir.FhirHeaders;
import io.carebus.fhir.ResultResources;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code carebus:fhir-results}: after {@code carebus:infer} (and optionally {@code carebus:explain}), turns the
 * {@link Prediction} in the body into the FHIR results its model card asks for (per output: RiskAssessment,
 * Observation or Condition — a Condition only at or above the threshold), plus the model Device and a Provenance over
 * them. For an imaging model the Observations are grouped in a DiagnosticReport (with the ImagingStudy by its Study
 * Instance UID when the exchange came from the DICOM gateway), and an explanation heatmap becomes a Binary (the PNG
 * overlay) and a DocumentReference pointing at it, which the report references. The body becomes that list of resources, ready for {@code carebus:ehr}. The subject is header
 * {@code CareBusSubjectReference} ({@code Patient/123} or {@code system|value}), else the first Patient identifier in
 * the message's FHIR form. Shadow predictions (a version under evaluation) emit nothing: clinicians never see them.
 * The Prediction stays in header {@code CareBusPrediction} (for {@code carebus:alert}).
 */
@Component(service = RouteStep.class)
public class ResultsStep implements RouteStep {

    static final String SUBJECT_REFERENCE = "CareBusSubjectReference";
    /** carebus:infer's list of the observations behind the features (carebus-inference InferStep.BASIS). */
    @SuppressWarnings("unchecked")
    private static List<String> basis(Message in) {
        Object basis = in.getHeader("CareBusFeatureBasis");
        return basis instanceof List<?> list && list.stream().allMatch(String.class::isInstance) ? (List<String>) list : null;
    }

    private final ModelRegistry registry;
    private final OutboxComponent outbox;
    private final FhirContext fhir = FhirContext.forR4Cached();

    @Activate
    public ResultsStep(@org.osgi.service.component.annotations.Reference ModelRegistry registry,
                       @org.osgi.service.component.annotations.Reference OutboxComponent outbox) {
        this.registry = registry;
        this.outbox = outbox;
    }

    @Override
    public String name() {
        return "fhir-results";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        Message in = exchange.getMessage();
        if (!(in.getBody() instanceof Prediction prediction)) {
            throw new IllegalArgumentException("carebus:fhir-results needs the Prediction of carebus:infer as the body"
                    + ("INSUFFICIENT_DATA".equals(in.getHeader("CareBusInferenceOutcome")) ? " (the model had too little data)" : ""));
        }
        // The body becomes the results: the Prediction stays readable for carebus:alert.
        in.setHeader(AlertStep.PREDICTION, prediction);
        if (prediction.shadow()) {
            in.setBody(List.of());
            return;
        }
        ModelCard card;
        try (ModelLease lease = registry.lease(prediction.model().id(), prediction.model().version())) {
            card = lease.card();
        }
        Reference subject = subject(in);
        Explanation explanation = in.getHeader("CareBusExplanation", Explanation.class);
        ResultResources results = outbox.results();
        List<Resource> emitted = new ArrayList<>();
        List<Reference> targets = new ArrayList<>();
        for (ModelCard.ModelOutput output : card.outputs()) {
            Resource result = results.result(prediction, card, output, subject, explanation, basis(in));
            if (result != null) {
                emitted.add(result);
                Identifier id = results.engineIdentifierOf(result).orElseThrow();
                targets.add(ResultResources.referenceTo(result, id));
            }
        }
        if (card.imageInput() != null) {
            imagingReport(in, prediction, card, subject, explanation, results, emitted, targets);
        }
        if (!emitted.isEmpty()) {
            Device device = results.modelDevice(prediction.model(), card.vendor());
            emitted.add(0, device);
            Long message = in.getHeader(FhirHeaders.MESSAGE_ID, Long.class);
            var provenance = results.provenance(targets, prediction, message == null ? List.of() : List.of(message),
                    explanation == null ? null : explanation.method());
            // Provenance has no identifier element: its id is derived from its targets, and it is written by PUT.
            provenance.setId("cb-" + ResultResources.stableValue(targets.stream()
                    .map(t -> t.getIdentifier().getSystem() + "|" + t.getIdentifier().getValue()).toArray(String[]::new)));
            emitted.add(provenance);
        }
        in.setBody(emitted);
    }

    private static void imagingReport(Message in, Prediction prediction, ModelCard card, Reference subject, Explanation explanation,
            ResultResources results, List<Resource> emitted, List<Reference> targets) {
        List<Reference> observations = targets.stream().filter(t -> "Observation".equals(t.getType())).toList();
        if (observations.isEmpty()) {
            return;
        }
        Reference heatmap = null;
        if (explanation != null && explanation.heatmap() != null && explanation.heatmap().overlayPng() != null) {
            Binary binary = results.heatmapBinary(prediction, subject, explanation);
            DocumentReference doc = results.heatmapDocument(prediction, subject, explanation, binary);
            emitted.add(binary);
            emitted.add(doc);
            heatmap = ResultResources.referenceTo(doc, doc.getIdentifierFirstRep());
            targets.add(heatmap);
        }
        ModelCard.ModelOutput first = card.outputs().get(0);
        StringBuilder conclusion = new StringBuilder();
        for (ModelCard.ModelOutput o : card.outputs()) {
            Double v = prediction.outputs().get(o.label());
            if (v != null) {
                conclusion.append(conclusion.length() == 0 ? "" : "; ").append(o.label().replace('_', ' ')).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.3f", v));
                if (o.threshold() != null) {
                    conclusion.append(v >= o.threshold() ? " (at or above " : " (below ").append(o.threshold()).append(')');
                }
            }
        }
        conclusion.append(" — model ").append(prediction.model()).append(explanation == null ? "" : ", explained by " + explanation.method())
                .append("; for clinician review");
        DiagnosticReport report = results.diagnosticReport(prediction, first, subject, observations, conclusion.toString(), heatmap);
        String studyUid = in.getHeader("CareBusDicomStudyUid", String.class);
        if (studyUid != null && !studyUid.isBlank()) {
            report.addImagingStudy(new Reference().setType("ImagingStudy").setIdentifier(new Identifier()
                    .setSystem("urn:dicom:uid").setValue("urn:oid:" + studyUid)));
        }
        emitted.add(report);
        targets.add(ResultResources.referenceTo(report, report.getIdentifierFirstRep()));
    }

    private Reference subject(Message in) {
        String given = in.getHeader(SUBJECT_REFERENCE, String.class);
        if (given != null && !given.isBlank()) {
            int bar = given.indexOf('|');
            return bar > 0 ? new Reference().setType("Patient").setIdentifier(new Identifier().setSystem(given.substring(0, bar))
                    .setValue(given.substring(bar + 1))) : new Reference(given);
        }
        String bundleJson = in.getHeader(FhirHeaders.FHIR_BUNDLE, String.class);
        if (bundleJson != null) {
            Bundle bundle = FhirValidation.withHapiLoader(() -> fhir.newJsonParser().parseResource(Bundle.class, bundleJson));
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                if (entry.getResource() instanceof Patient patient && patient.hasIdentifier()) {
                    Identifier id = patient.getIdentifierFirstRep();
                    return new Reference().setType("Patient").setIdentifier(new Identifier().setSystem(id.getSystem()).setValue(id.getValue()));
                }
            }
        }
        throw new IllegalArgumentException("carebus:fhir-results cannot tell whose result this is: set header " + SUBJECT_REFERENCE
                + " or route a message whose FHIR form names a Patient with an identifier");
    }
}
