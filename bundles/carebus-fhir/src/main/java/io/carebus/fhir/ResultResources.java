package io.carebus.fhir;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.ModelId;
import io.carebus.api.model.Prediction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.codesystems.ProvenanceAgentType;

/**
 * Builds the engine's result resources. Conventions (README of this bundle):
 * <ul>
 *   <li>Every result carries the <em>engine identifier</em>: system {@link #identifierSystem()} (one per engine
 *       instance, {@code urn:carebus:<node>} unless configured), value derived from what the result is about (model,
 *       version, input hash, subject, output), so the same prediction always gets the same identifier and an EHR can
 *       refuse or ignore a second copy (conditional create).</li>
 *   <li>The model is a {@code Device} (identifier = {@code id@version}, the model file's sha256 as a second
 *       identifier, vendor as manufacturer); results reference it by identifier (a logical reference), since the
 *       EHR assigns its own resource ids.</li>
 *   <li>{@code Provenance} names the results as targets, the model Device as the performing agent, CareBus as the
 *       assembler, the input messages as source entities and the explanation method as its policy/reason.</li>
 *   <li>Explanations ride on the result as {@value #CONTRIBUTION_URL} extensions (feature, value, contribution),
 *       strongest first, plus the base value.</li>
 * </ul>
 */
public final class ResultResources {

    public static final String MODEL_SYSTEM = "urn:carebus:model";
    public static final String MODEL_SHA256_SYSTEM = "urn:carebus:model-sha256";
    public static final String MESSAGE_SYSTEM_SUFFIX = ":message";
    public static final String CONTRIBUTION_URL = "urn:carebus:fhir:StructureDefinition:explanation-contribution";
    public static final String EXPLANATION_URL = "urn:carebus:fhir:StructureDefinition:explanation";
    /** HL7 v3 ObservationValue: the AI-assisted security label the AI Transparency on FHIR IG uses. */
    public static final String AI_LABEL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    public static final String AI_LABEL_CODE = "AIAST";

    private final String identifierSystem;

    /** @param identifierSystem the engine's identifier system (a URI), e.g. {@code urn:carebus:carebus-1} */
    public ResultResources(String identifierSystem) {
        if (identifierSystem == null || !identifierSystem.matches("[a-zA-Z][a-zA-Z0-9+.-]*:\\S+")) {
            throw new IllegalArgumentException("the engine identifier system must be an absolute URI: " + identifierSystem);
        }
        this.identifierSystem = identifierSystem;
    }

    public static ResultResources forNode(String nodeId) {
        return new ResultResources("urn:carebus:" + nodeId);
    }

    public String identifierSystem() {
        return identifierSystem;
    }

    /** A stable identifier value: the first 128 bits of SHA-256 over the parts, hex. */
    public static String stableValue(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                digest.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Identifier engineIdentifier(String value) {
        return new Identifier().setUse(Identifier.IdentifierUse.OFFICIAL).setSystem(identifierSystem).setValue(value);
    }

    /**
     * Stamps a resource with the engine identifier, unless it carries it already. Throws for a resource type that
     * has no {@code identifier} element (nothing to de-duplicate by).
     */
    public static void stamp(Resource resource, Identifier identifier) {
        org.hl7.fhir.r4.model.Property ids = resource.getNamedProperty("identifier");
        if (ids == null) {
            throw new IllegalArgumentException(resource.fhirType() + " has no identifier element to carry the engine identifier");
        }
        for (org.hl7.fhir.r4.model.Base id : ids.getValues()) {
            if (id instanceof Identifier i && identifier.getSystem().equals(i.getSystem()) && identifier.getValue().equals(i.getValue())) {
                return;
            }
        }
        resource.setProperty("identifier", identifier.copy());
    }

    /** The engine identifier a resource carries, if any. */
    public java.util.Optional<Identifier> engineIdentifierOf(Resource resource) {
        org.hl7.fhir.r4.model.Property ids = resource.getNamedProperty("identifier");
        if (ids != null) {
            for (org.hl7.fhir.r4.model.Base id : ids.getValues()) {
                if (id instanceof Identifier i && identifierSystem.equals(i.getSystem()) && i.hasValue()) {
                    return java.util.Optional.of(i);
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The model as a Device: identifier {@code id@version}, the model file's sha256, vendor as manufacturer. */
    public Device modelDevice(ModelId model, String vendor) {
        Device device = new Device();
        device.addIdentifier().setSystem(MODEL_SYSTEM).setValue(model.toString());
        device.addIdentifier().setSystem(MODEL_SHA256_SYSTEM).setValue(model.sha256().hex());
        device.addIdentifier(engineIdentifier(stableValue("Device", model.toString(), model.sha256().hex())));
        device.setStatus(Device.FHIRDeviceStatus.ACTIVE);
        device.addDeviceName().setName(model.id()).setType(Device.DeviceNameType.MODELNAME);
        device.addVersion().setValue(model.version());
        if (vendor != null && !vendor.isBlank()) {
            device.setManufacturer(vendor);
        }
        device.setType(new CodeableConcept().setText("AI/ML model (ONNX), served by CareBus"));
        narrative(device, "Model " + model + " (" + (vendor == null ? "unknown vendor" : vendor) + ")");
        return device;
    }

    /** A logical reference to the model Device (the EHR assigns the Device its own id). */
    public static Reference deviceReference(ModelId model) {
        return new Reference().setType("Device").setDisplay("model " + model)
                .setIdentifier(new Identifier().setSystem(MODEL_SYSTEM).setValue(model.toString()));
    }

    private String resultValue(String type, Prediction prediction, ModelCard.ModelOutput output, Reference subject) {
        return stableValue(type, prediction.model().toString(), prediction.model().sha256().hex(), prediction.inputHash().hex(),
                subjectKey(subject), output.label());
    }

    /** The subject as one string: the literal reference, else {@code system|value} of its identifier. */
    public static String subjectKey(Reference subject) {
        if (subject.hasReference()) {
            return subject.getReference();
        }
        return subject.hasIdentifier() ? subject.getIdentifier().getSystem() + "|" + subject.getIdentifier().getValue() : "";
    }

    /**
     * The result {@code carebus:fhir-results} emits for one card output: a RiskAssessment (with the observations it
     * was based on), an Observation (category imaging for an imaging model), or a Condition only at or above the
     * output's threshold (null below it). The vendor kit's {@code try} prints the same.
     */
    public Resource result(Prediction prediction, ModelCard card, ModelCard.ModelOutput output, Reference subject, Explanation explanation,
            List<String> basis) {
        Resource result = switch (output.fhirResource()) {
            case "RiskAssessment" -> {
                RiskAssessment risk = riskAssessment(prediction, output, subject, explanation);
                basis(risk, basis);
                yield risk;
            }
            case "Observation" -> observation(prediction, output, subject, explanation);
            case "Condition" -> output.threshold() != null && prediction.outputs().getOrDefault(output.label(), 0.0) >= output.threshold()
                    ? condition(prediction, output, subject) : null;
            default -> throw new IllegalArgumentException("model card output " + output.label() + " asks for "
                    + output.fhirResource() + ", which carebus:fhir-results does not build");
        };
        if (result instanceof Observation observation && card.imageInput() != null) {
            // A finding read from an image: category imaging rather than the survey of a score from data.
            observation.getCategory().clear();
            observation.addCategory(new CodeableConcept().addCoding(new Coding(
                    "http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging")));
        }
        return result;
    }

    /** RiskAssessment: the probability of the card's outcome, high/low by the card's threshold, explanation attached. */
    public RiskAssessment riskAssessment(Prediction prediction, ModelCard.ModelOutput output, Reference subject,
                                        Explanation explanation) {
        double p = value(prediction, output);
        RiskAssessment risk = new RiskAssessment();
        risk.addIdentifier(engineIdentifier(resultValue("RiskAssessment", prediction, output, subject)));
        risk.setStatus(RiskAssessment.RiskAssessmentStatus.FINAL);
        risk.setSubject(subject.copy());
        risk.setOccurrence(new org.hl7.fhir.r4.model.DateTimeType(Date.from(prediction.at())));
        risk.setPerformer(deviceReference(prediction.model()));
        risk.setMethod(new CodeableConcept().setText("model " + prediction.model() + (explanation == null ? ""
                : "; explained by " + explanation.method())));
        RiskAssessment.RiskAssessmentPredictionComponent component = risk.addPrediction();
        component.setOutcome(concept(output));
        if (Double.isFinite(p) && p >= 0 && p <= 1) {
            component.setProbability(new DecimalType(round(p)));
        } else {
            throw new IllegalArgumentException("output " + output.label() + " of " + prediction.model() + " is not a probability: " + p);
        }
        if (output.threshold() != null) {
            boolean high = p >= output.threshold();
            component.setQualitativeRisk(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/risk-probability",
                    high ? "high" : "low", high ? "High likelihood" : "Low likelihood")));
            risk.setMitigation(high ? "At or above the model's alert threshold " + output.threshold() : null);
        }
        label(risk);
        explain(risk, explanation);
        narrative(risk, "Risk of " + display(output) + ": " + String.format(Locale.ROOT, "%.3f", p) + " (model " + prediction.model() + ")");
        return risk;
    }

    /** Observation: a model output as a value (probability or score), code from the card, the model as performer. */
    public Observation observation(Prediction prediction, ModelCard.ModelOutput output, Reference subject, Explanation explanation) {
        double v = value(prediction, output);
        Observation observation = new Observation();
        observation.addIdentifier(engineIdentifier(resultValue("Observation", prediction, output, subject)));
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.addCategory(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey")));
        observation.setCode(concept(output));
        observation.setSubject(subject.copy());
        observation.setEffective(new org.hl7.fhir.r4.model.DateTimeType(Date.from(prediction.at())));
        observation.setIssued(Date.from(prediction.at()));
        observation.addPerformer(deviceReference(prediction.model()));
        observation.setDevice(deviceReference(prediction.model()));
        observation.setValue(new Quantity().setValue(round(v)).setUnit("1").setSystem("http://unitsofmeasure.org").setCode("1"));
        if (output.threshold() != null) {
            boolean high = v >= output.threshold();
            observation.addInterpretation(new CodeableConcept().addCoding(new Coding(
                    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", high ? "H" : "N", high ? "High" : "Normal")));
        }
        label(observation);
        explain(observation, explanation);
        narrative(observation, display(output) + ": " + String.format(Locale.ROOT, "%.3f", v) + " (model " + prediction.model() + ")");
        return observation;
    }

    /**
     * Condition: the card's finding, asserted as <em>provisional</em> (a model suggests, a clinician confirms), only
     * for a prediction at or above the output's threshold.
     */
    public Condition condition(Prediction prediction, ModelCard.ModelOutput output, Reference subject) {
        double v = value(prediction, output);
        if (output.threshold() == null || v < output.threshold()) {
            throw new IllegalArgumentException("a Condition is only asserted at or above the output's threshold");
        }
        Condition condition = new Condition();
        condition.addIdentifier(engineIdentifier(resultValue("Condition", prediction, output, subject)));
        condition.setClinicalStatus(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")));
        condition.setVerificationStatus(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional", "Provisional")));
        condition.addCategory(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")));
        condition.setCode(concept(output));
        condition.setSubject(subject.copy());
        condition.setRecordedDate(Date.from(prediction.at()));
        condition.setAsserter(null);
        condition.addEvidence().addDetail(deviceReference(prediction.model()));
        condition.addNote().setText("Suggested by model " + prediction.model() + " with score "
                + String.format(Locale.ROOT, "%.3f", v) + " (threshold " + output.threshold() + "); to be confirmed by a clinician.");
        label(condition);
        narrative(condition, "Provisional: " + display(output) + " (model " + prediction.model() + ")");
        return condition;
    }

    /**
     * DiagnosticReport: the model's report over the given result resources, with a conclusion and, for imaging
     * models, the explanation heatmap as a presented form reference (the DocumentReference).
     */
    public DiagnosticReport diagnosticReport(Prediction prediction, ModelCard.ModelOutput output, Reference subject,
                                             List<Reference> results, String conclusion, Reference heatmapDocument) {
        DiagnosticReport report = new DiagnosticReport();
        report.addIdentifier(engineIdentifier(resultValue("DiagnosticReport", prediction, output, subject)));
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        report.addCategory(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "OTH", "Other")));
        report.setCode(concept(output));
        report.setSubject(subject.copy());
        report.setEffective(new org.hl7.fhir.r4.model.DateTimeType(Date.from(prediction.at())));
        report.setIssued(Date.from(prediction.at()));
        report.addPerformer(deviceReference(prediction.model()));
        for (Reference r : results) {
            // R4 constrains DiagnosticReport.result to Observation: anything else would make the report invalid at the EHR.
            if (!"Observation".equals(r.getType()) && !(r.hasReference() && r.getReference().startsWith("Observation/"))) {
                throw new IllegalArgumentException("DiagnosticReport.result references Observations only, not " + r.getType());
            }
            report.addResult(r.copy());
        }
        if (conclusion != null) {
            report.setConclusion(conclusion);
        }
        if (heatmapDocument != null) {
            report.addExtension(new Extension(EXPLANATION_URL, heatmapDocument.copy()));
        }
        label(report);
        narrative(report, "Report of model " + prediction.model() + (conclusion == null ? "" : ": " + conclusion));
        return report;
    }

    /**
     * The explanation heatmap's PNG overlay as a Binary, with a client-assigned id derived from what it explains (a
     * Binary has no identifier element, so it is written by PUT to that id) and the subject as its security context,
     * so the EHR applies the patient's access rules to it.
     */
    public Binary heatmapBinary(Prediction prediction, Reference subject, Explanation explanation) {
        if (explanation.heatmap() == null || explanation.heatmap().overlayPng() == null) {
            throw new IllegalArgumentException("the explanation has no rendered heatmap");
        }
        Binary binary = new Binary();
        binary.setId("cb-" + stableValue("Binary", prediction.model().toString(), prediction.inputHash().hex(), subjectKey(subject),
                explanation.method()));
        binary.setContentType("image/png");
        binary.setData(explanation.heatmap().overlayPng());
        binary.setSecurityContext(subject.copy());
        label(binary);
        return binary;
    }

    /** The heatmap as a DocumentReference whose attachment points at the Binary (size and SHA-1 as FHIR asks). */
    public DocumentReference heatmapDocument(Prediction prediction, Reference subject, Explanation explanation, Binary binary) {
        DocumentReference doc = heatmapDocument(prediction, subject, explanation);
        Attachment attachment = doc.getContentFirstRep().getAttachment();
        attachment.setData(null);
        attachment.setUrl("Binary/" + binary.getIdElement().getIdPart());
        attachment.setSize(binary.getData().length);
        try {
            attachment.setHash(MessageDigest.getInstance("SHA-1").digest(binary.getData()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return doc;
    }

    /** The explanation heatmap (PNG overlay) as a DocumentReference with the image inline. */
    public DocumentReference heatmapDocument(Prediction prediction, Reference subject, Explanation explanation) {
        if (explanation.heatmap() == null || explanation.heatmap().overlayPng() == null) {
            throw new IllegalArgumentException("the explanation has no rendered heatmap");
        }
        DocumentReference doc = new DocumentReference();
        doc.addIdentifier(engineIdentifier(stableValue("DocumentReference", prediction.model().toString(),
                prediction.inputHash().hex(), subjectKey(subject), explanation.method())));
        doc.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        doc.setType(new CodeableConcept().setText("Model explanation heatmap (" + explanation.method() + ")"));
        doc.setSubject(subject.copy());
        doc.setDate(Date.from(prediction.at()));
        doc.addAuthor(deviceReference(prediction.model()));
        doc.setDescription(explanation.method() + " heatmap for model " + prediction.model());
        doc.addContent().setAttachment(new Attachment().setContentType("image/png").setData(explanation.heatmap().overlayPng())
                .setTitle("explanation overlay"));
        label(doc);
        narrative(doc, "Explanation heatmap (" + explanation.method() + ") for model " + prediction.model());
        return doc;
    }

    /**
     * Provenance of results: the model Device performed it, CareBus assembled it, from the input messages (stored
     * messages by id, under {@code <identifier system>:message}); the explanation method, when there is one, as reason.
     */
    public Provenance provenance(List<Reference> targets, Prediction prediction, List<Long> inputMessages, String explanationMethod) {
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a Provenance needs at least one target");
        }
        Provenance provenance = new Provenance();
        targets.forEach(t -> provenance.addTarget(t.copy()));
        provenance.setRecorded(Date.from(prediction.at()));
        provenance.setOccurred(new org.hl7.fhir.r4.model.DateTimeType(Date.from(prediction.at())));
        provenance.addAgent().setType(new CodeableConcept().addCoding(new Coding(ProvenanceAgentType.PERFORMER.getSystem(),
                        ProvenanceAgentType.PERFORMER.toCode(), ProvenanceAgentType.PERFORMER.getDisplay())))
                .setWho(deviceReference(prediction.model()));
        provenance.addAgent().setType(new CodeableConcept().addCoding(new Coding(ProvenanceAgentType.ASSEMBLER.getSystem(),
                        ProvenanceAgentType.ASSEMBLER.toCode(), ProvenanceAgentType.ASSEMBLER.getDisplay())))
                .setWho(new Reference().setDisplay("CareBus integration engine").setType("Device")
                        .setIdentifier(new Identifier().setSystem(identifierSystem).setValue("engine")));
        for (Long message : inputMessages) {
            provenance.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE)
                    .setWhat(new Reference().setDisplay("input message " + message)
                            .setIdentifier(new Identifier().setSystem(identifierSystem + MESSAGE_SYSTEM_SUFFIX).setValue(Long.toString(message))));
        }
        if (explanationMethod != null) {
            provenance.addReason().setText("prediction explained by " + explanationMethod);
        }
        provenance.setPolicy(List.of(new org.hl7.fhir.r4.model.UriType(identifierSystem + ":policy:ai-result")));
        label(provenance);
        return provenance;
    }

    /** The most observations one RiskAssessment names as its basis (a mean over a long window can use hundreds). */
    static final int MAX_BASIS = 100;

    /**
     * RiskAssessment.basis: the observations the model's features came from, as carebus:infer names them (header
     * {@code CareBusFeatureBasis}): {@code Observation/<id>} as a literal reference, {@code system|value} as a logical
     * reference by identifier ({@code urn:carebus:fhir-id|Observation/<id>} as the literal one). The patient context's
     * own hashes ({@code urn:carebus:context|...}) name no resource anywhere and are left out.
     */
    public static void basis(RiskAssessment risk, List<String> observations) {
        if (observations == null) {
            return;
        }
        for (String source : observations) {
            if (risk.getBasis().size() >= MAX_BASIS) {
                return;
            }
            int bar = source == null ? -1 : source.indexOf('|');
            if (source == null || source.isBlank() || source.startsWith("urn:carebus:context|")) {
                continue;
            }
            if (source.startsWith("urn:carebus:fhir-id|")) {
                risk.addBasis(new Reference(source.substring(bar + 1)));
            } else if (bar < 0) {
                risk.addBasis(new Reference(source));
            } else {
                Identifier identifier = new Identifier().setValue(source.substring(bar + 1));
                if (bar > 0) {
                    identifier.setSystem(source.substring(0, bar));
                }
                risk.addBasis(new Reference().setType("Observation").setIdentifier(identifier));
            }
        }
    }

    /** A logical reference to a result by its engine identifier. */
    public static Reference referenceTo(Resource result, Identifier identifier) {
        return new Reference().setType(result.fhirType()).setIdentifier(identifier.copy());
    }

    private static double value(Prediction prediction, ModelCard.ModelOutput output) {
        Double v = prediction.outputs().get(output.label());
        if (v == null) {
            throw new IllegalArgumentException("prediction of " + prediction.model() + " has no output " + output.label());
        }
        return v;
    }

    static java.math.BigDecimal round(double v) {
        return new java.math.BigDecimal(v).setScale(4, java.math.RoundingMode.HALF_UP);
    }

    /** The card's code ({@code system|code}, or text) as a CodeableConcept with the output label as text. */
    static CodeableConcept concept(ModelCard.ModelOutput output) {
        CodeableConcept concept = new CodeableConcept().setText(display(output));
        String code = output.code();
        if (code != null && code.contains("|")) {
            int bar = code.indexOf('|');
            concept.addCoding(new Coding().setSystem(code.substring(0, bar)).setCode(code.substring(bar + 1)));
        } else if (code != null && !code.isBlank()) {
            concept.addCoding(new Coding().setSystem("urn:carebus:output").setCode(code));
        }
        return concept;
    }

    static String display(ModelCard.ModelOutput output) {
        return output.label().replace('_', ' ');
    }

    static void label(Resource resource) {
        resource.getMeta().addSecurity(new Coding(AI_LABEL_SYSTEM, AI_LABEL_CODE, "Artificial Intelligence asserted"));
    }

    static void narrative(org.hl7.fhir.r4.model.DomainResource resource, String text) {
        Narrative narrative = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
        // Built as nodes, not parsed from a string: HAPI's XHTML parser sets up its entity table on every parse,
        // which cost more than the rest of a RiskAssessment together. The serializer escapes the text.
        org.hl7.fhir.utilities.xhtml.XhtmlNode div = new org.hl7.fhir.utilities.xhtml.XhtmlNode(
                org.hl7.fhir.utilities.xhtml.NodeType.Element, "div");
        div.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
        div.addText(text);
        narrative.setDiv(div);
        resource.setText(narrative);
    }

    /** Top contributions (strongest first) as extensions: feature, its value and unit, its contribution; and the base. */
    static void explain(org.hl7.fhir.r4.model.DomainResource resource, Explanation explanation) {
        if (explanation == null || explanation.contributions().isEmpty()) {
            return;
        }
        Extension root = resource.addExtension().setUrl(EXPLANATION_URL);
        root.addExtension("method", new StringType(explanation.method()));
        root.addExtension("baseValue", new DecimalType(round(explanation.baseValue())));
        root.addExtension("outputValue", new DecimalType(round(explanation.outputValue())));
        explanation.contributions().stream()
                .sorted((a, b) -> Double.compare(Math.abs(b.contribution()), Math.abs(a.contribution())))
                .limit(10)
                .forEach(c -> {
                    Extension e = new Extension(CONTRIBUTION_URL);
                    e.addExtension("feature", new StringType(c.feature()));
                    e.addExtension("value", new Quantity().setValue(round(c.inputValue())).setUnit(c.unit()));
                    e.addExtension("contribution", new DecimalType(round(c.contribution())));
                    root.addExtension(e);
                });
    }
}
