package io.carebus.inference.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carebus.api.model.ModelCard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads a model card from YAML and lists everything wrong with it, so a vendor sees all problems at once. */
final class CardReader {

    static final Set<String> FHIR_RESULTS = Set.of("Observation", "Condition", "RiskAssessment", "DiagnosticReport");
    static final Set<String> OUTPUT_TYPES = Set.of("probability", "score", "class", "value");
    static final Set<String> AGGREGATES = Set.of("last", "min", "max", "mean", "slope", "count");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The parsed card, or an exception whose message names the problems. */
    CardDocument read(byte[] yamlBytes) throws InvalidCardException {
        CardDocument card;
        try {
            card = yaml.readValue(yamlBytes, CardDocument.class);
        } catch (IOException e) {
            throw new InvalidCardException(List.of("not a readable model card: " + firstLine(e.getMessage())));
        }
        List<String> problems = problems(card);
        if (!problems.isEmpty()) {
            throw new InvalidCardException(problems);
        }
        return card;
    }

    static List<String> problems(CardDocument c) {
        List<String> p = new ArrayList<>();
        token(p, "id", c.id());
        token(p, "version", c.version());
        token(p, "vendor", c.vendor());
        text(p, "intendedUse", c.intendedUse());
        if (c.contraindications() == null || c.contraindications().isEmpty()) {
            p.add("contraindications: list at least one (where the model must not be used)");
        }
        if (c.files() == null || c.files().stream().filter(f -> "model".equals(role(f))).count() != 1) {
            p.add("files: exactly one file with role 'model' (the ONNX graph) is required");
        } else {
            for (CardDocument.ModelFile f : c.files()) {
                if (f.path() == null || f.path().isBlank() || f.path().startsWith("/") || f.path().contains("..")) {
                    p.add("files: path must be relative inside the bundle: " + f.path());
                }
                if (f.sha256() == null || !f.sha256().matches("[0-9a-f]{64}")) {
                    p.add("files: sha256 of " + f.path() + " must be 64 lowercase hex digits");
                }
            }
        }
        Set<String> features = new HashSet<>();
        if (c.inputs() == null || (c.inputs().tabular() == null) == (c.inputs().image() == null)) {
            p.add("inputs: declare either tabular features or one image");
        } else if (c.inputs().tabular() != null) {
            if (c.inputs().tabular().isEmpty()) {
                p.add("inputs.tabular: at least one feature");
            }
            for (CardDocument.TabularFeature f : c.inputs().tabular()) {
                token(p, "inputs.tabular.name", f.name());
                if (!features.add(String.valueOf(f.name()))) {
                    p.add("inputs.tabular: feature " + f.name() + " declared twice");
                }
                text(p, "inputs.tabular[" + f.name() + "].code", f.code());
                text(p, "inputs.tabular[" + f.name() + "].unit", f.unit());
                if (f.aggregate() != null && !AGGREGATES.contains(f.aggregate())) {
                    p.add("inputs.tabular[" + f.name() + "].aggregate must be one of " + AGGREGATES);
                }
                if (f.window() != null && !f.window().matches("P(T?\\d+[DHM])+|PT\\d+H")) {
                    p.add("inputs.tabular[" + f.name() + "].window must be an ISO 8601 duration like PT6H or P2D");
                }
            }
        } else {
            CardDocument.ImageSpec i = c.inputs().image();
            text(p, "inputs.image.modality", i.modality());
            if (i.width() <= 0 || i.height() <= 0) {
                p.add("inputs.image: width and height must be positive");
            }
        }
        Set<String> labels = new HashSet<>();
        if (c.outputs() == null || c.outputs().isEmpty()) {
            p.add("outputs: at least one");
        } else {
            for (CardDocument.Output o : c.outputs()) {
                token(p, "outputs.label", o.label());
                if (!labels.add(String.valueOf(o.label()))) {
                    p.add("outputs: label " + o.label() + " declared twice");
                }
                text(p, "outputs[" + o.label() + "].onnxOutput", o.onnxOutput());
                if (!OUTPUT_TYPES.contains(String.valueOf(o.type()))) {
                    p.add("outputs[" + o.label() + "].type must be one of " + OUTPUT_TYPES);
                }
                if (!FHIR_RESULTS.contains(String.valueOf(o.fhirResource()))) {
                    p.add("outputs[" + o.label() + "].fhirResource must be one of " + FHIR_RESULTS);
                }
                text(p, "outputs[" + o.label() + "].code", o.code());
                if (o.index() != null && o.index() < 0) {
                    p.add("outputs[" + o.label() + "].index must not be negative");
                }
            }
        }
        if (c.explanation() == null || c.explanation().method() == null || c.explanation().method().isBlank()) {
            p.add("explanation.method is required");
        } else if ("grad-cam".equals(c.explanation().method())
                && (c.explanation().activationOutput() == null || c.explanation().headGraph() == null)) {
            p.add("explanation: grad-cam needs activationOutput (the last convolution's output) and headGraph (activations → scores)");
        }
        if (c.trainingData() == null || c.trainingData().summary() == null || c.trainingData().summary().isBlank()) {
            p.add("trainingData.summary is required");
        }
        if (c.performance() == null || c.performance().overall() == null || c.performance().overall().isEmpty()) {
            p.add("performance.overall is required (e.g. auroc)");
        }
        text(p, "changeControl", c.changeControl());
        if (c.selfTests() == null || c.selfTests().isEmpty()) {
            p.add("selfTests: at least one vector (inputs, expected outputs, tolerance)");
        } else {
            int n = 0;
            for (CardDocument.SelfTest t : c.selfTests()) {
                n++;
                if (t.expected() == null || t.expected().isEmpty()) {
                    p.add("selfTests[" + n + "].expected is empty");
                } else if (!labels.containsAll(t.expected().keySet())) {
                    p.add("selfTests[" + n + "].expected names an output the card does not declare: " + t.expected().keySet());
                }
                if (t.tolerance() == null || t.tolerance() < 0) {
                    p.add("selfTests[" + n + "].tolerance must be given and not negative");
                }
                if (!features.isEmpty() && (t.inputs() == null || !features.containsAll(t.inputs().keySet()))) {
                    p.add("selfTests[" + n + "].inputs must name declared features");
                }
            }
        }
        return p;
    }

    static String role(CardDocument.ModelFile f) {
        return f.role() == null ? (f.path() != null && f.path().endsWith(".onnx") ? "model" : "data") : f.role();
    }

    /** The engine-wide contract view of a card. */
    static ModelCard toApi(CardDocument c) {
        List<ModelCard.TabularInput> tabular = c.inputs().tabular() == null ? List.of() : c.inputs().tabular().stream()
                .map(f -> new ModelCard.TabularInput(f.name(), f.code(), f.unit(), f.window(), f.aggregate(), f.defaultValue()))
                .toList();
        CardDocument.ImageSpec i = c.inputs().image();
        ModelCard.ImageInput image = i == null ? null : new ModelCard.ImageInput(i.modality(), i.bodyPart(), i.width(), i.height(),
                i.windowCenter() == null ? 0 : i.windowCenter(), i.windowWidth() == null ? 0 : i.windowWidth(), i.normalisation());
        return new ModelCard(c.id(), c.version(), c.vendor(), c.intendedUse(), c.contraindications(), tabular, image,
                c.outputs().stream().map(o -> new ModelCard.ModelOutput(o.label(), o.type(), o.threshold(), o.fhirResource(), o.code()))
                        .toList(),
                c.explanation().method(), c.trainingData().summary());
    }

    private static void token(List<String> p, String field, String value) {
        if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            p.add(field + " must be a token of letters, digits, '.', '_' or '-': " + value);
        }
    }

    private static void text(List<String> p, String field, String value) {
        if (value == null || value.isBlank()) {
            p.add(field + " is required");
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
