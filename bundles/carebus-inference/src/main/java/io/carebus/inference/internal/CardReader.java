package io.carebus.inference.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carebus.api.model.ModelCard;
import io.carebus.inference.check.Problem;
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

    /** The parsed card, or an exception whose problems name every fault, each with its card line. */
    CardDocument read(byte[] yamlBytes) throws InvalidCardException {
        CardDocument card = parse(yamlBytes);
        List<Problem> problems = problems(card);
        if (!problems.isEmpty()) {
            throw new InvalidCardException(CardLines.of(yamlBytes).locate(problems));
        }
        return card;
    }

    /** The card as written, unchecked (for tools that read a card being written, or an earlier version's). */
    CardDocument parse(byte[] yamlBytes) throws InvalidCardException {
        try {
            return yaml.readValue(yamlBytes, CardDocument.class);
        } catch (IOException e) {
            throw new InvalidCardException(List.of(unreadable(yamlBytes, e)));
        }
    }

    /**
     * A card Jackson cannot map, at the line of the field it names: records are built after all their fields are
     * read, so the parser's own location of an unknown field is the end of its object, not the field.
     */
    private static Problem unreadable(byte[] yamlBytes, IOException e) {
        String reason = "not a readable model card: " + firstLine(e.getMessage());
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder pointer = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                pointer.append('/').append(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
            }
            return new Problem(reason, pointer.toString(), CardLines.of(yamlBytes).lineOf(pointer.toString()));
        }
        int line = e instanceof com.fasterxml.jackson.core.JacksonException j && j.getLocation() != null
                ? Math.max(0, j.getLocation().getLineNr()) : 0;
        return new Problem(reason, null, line);
    }

    static List<Problem> problems(CardDocument c) {
        List<Problem> p = new ArrayList<>();
        token(p, "/id", "id", c.id());
        token(p, "/version", "version", c.version());
        token(p, "/vendor", "vendor", c.vendor());
        text(p, "/intendedUse", "intendedUse", c.intendedUse());
        if (c.contraindications() == null || c.contraindications().isEmpty()) {
            p.add(Problem.at("/contraindications", "contraindications: list at least one (where the model must not be used)"));
        }
        if (c.files() == null || c.files().stream().filter(f -> "model".equals(role(f))).count() != 1) {
            p.add(Problem.at("/files", "files: exactly one file with role 'model' (the ONNX graph) is required"));
        } else {
            for (int i = 0; i < c.files().size(); i++) {
                CardDocument.ModelFile f = c.files().get(i);
                if (f.path() == null || f.path().isBlank() || f.path().startsWith("/") || f.path().contains("..")) {
                    p.add(Problem.at("/files/" + i + "/path", "files: path must be relative inside the bundle: " + f.path()));
                }
                if (f.sha256() == null || !f.sha256().matches("[0-9a-f]{64}")) {
                    p.add(Problem.at("/files/" + i + "/sha256", "files: sha256 of " + f.path() + " must be 64 lowercase hex digits"));
                }
            }
        }
        Set<String> features = new HashSet<>();
        if (c.inputs() == null || (c.inputs().tabular() == null) == (c.inputs().image() == null)) {
            p.add(Problem.at("/inputs", "inputs: declare either tabular features or one image"));
        } else if (c.inputs().tabular() != null) {
            if (c.inputs().tabular().isEmpty()) {
                p.add(Problem.at("/inputs/tabular", "inputs.tabular: at least one feature"));
            }
            for (int i = 0; i < c.inputs().tabular().size(); i++) {
                CardDocument.TabularFeature f = c.inputs().tabular().get(i);
                String at = "/inputs/tabular/" + i;
                token(p, at + "/name", "inputs.tabular.name", f.name());
                if (!features.add(String.valueOf(f.name()))) {
                    p.add(Problem.at(at + "/name", "inputs.tabular: feature " + f.name() + " declared twice"));
                }
                text(p, at + "/code", "inputs.tabular[" + f.name() + "].code", f.code());
                text(p, at + "/unit", "inputs.tabular[" + f.name() + "].unit", f.unit());
                if (f.aggregate() != null && !AGGREGATES.contains(f.aggregate())) {
                    p.add(Problem.at(at + "/aggregate", "inputs.tabular[" + f.name() + "].aggregate must be one of " + AGGREGATES));
                }
                if (f.window() != null && !f.window().matches("P(T?\\d+[DHM])+|PT\\d+H")) {
                    p.add(Problem.at(at + "/window", "inputs.tabular[" + f.name() + "].window must be an ISO 8601 duration like PT6H or P2D"));
                }
            }
        } else {
            CardDocument.ImageSpec i = c.inputs().image();
            text(p, "/inputs/image/modality", "inputs.image.modality", i.modality());
            if (i.width() <= 0 || i.height() <= 0) {
                p.add(Problem.at("/inputs/image", "inputs.image: width and height must be positive"));
            }
        }
        Set<String> labels = new HashSet<>();
        if (c.outputs() == null || c.outputs().isEmpty()) {
            p.add(Problem.at("/outputs", "outputs: at least one"));
        } else {
            for (int i = 0; i < c.outputs().size(); i++) {
                CardDocument.Output o = c.outputs().get(i);
                String at = "/outputs/" + i;
                token(p, at + "/label", "outputs.label", o.label());
                if (!labels.add(String.valueOf(o.label()))) {
                    p.add(Problem.at(at + "/label", "outputs: label " + o.label() + " declared twice"));
                }
                text(p, at + "/onnxOutput", "outputs[" + o.label() + "].onnxOutput", o.onnxOutput());
                if (!OUTPUT_TYPES.contains(String.valueOf(o.type()))) {
                    p.add(Problem.at(at + "/type", "outputs[" + o.label() + "].type must be one of " + OUTPUT_TYPES));
                }
                if (!FHIR_RESULTS.contains(String.valueOf(o.fhirResource()))) {
                    p.add(Problem.at(at + "/fhirResource", "outputs[" + o.label() + "].fhirResource must be one of " + FHIR_RESULTS));
                }
                text(p, at + "/code", "outputs[" + o.label() + "].code", o.code());
                if (o.index() != null && o.index() < 0) {
                    p.add(Problem.at(at + "/index", "outputs[" + o.label() + "].index must not be negative"));
                }
            }
        }
        if (c.explanation() == null || c.explanation().method() == null || c.explanation().method().isBlank()) {
            p.add(Problem.at("/explanation/method", "explanation.method is required"));
        } else if ("grad-cam".equals(c.explanation().method())
                && (c.explanation().activationOutput() == null || c.explanation().headGraph() == null)) {
            p.add(Problem.at("/explanation", "explanation: grad-cam needs activationOutput (the last convolution's output) and headGraph (activations → scores)"));
        }
        if (c.trainingData() == null || c.trainingData().summary() == null || c.trainingData().summary().isBlank()) {
            p.add(Problem.at("/trainingData/summary", "trainingData.summary is required"));
        }
        if (c.performance() == null || c.performance().overall() == null || c.performance().overall().isEmpty()) {
            p.add(Problem.at("/performance/overall", "performance.overall is required (e.g. auroc)"));
        }
        text(p, "/changeControl", "changeControl", c.changeControl());
        if (c.selfTests() == null || c.selfTests().isEmpty()) {
            p.add(Problem.at("/selfTests", "selfTests: at least one vector (inputs, expected outputs, tolerance)"));
        } else {
            int n = 0;
            for (CardDocument.SelfTest t : c.selfTests()) {
                n++;
                String at = "/selfTests/" + (n - 1);
                if (t.expected() == null || t.expected().isEmpty()) {
                    p.add(Problem.at(at + "/expected", "selfTests[" + n + "].expected is empty"));
                } else if (!labels.containsAll(t.expected().keySet())) {
                    p.add(Problem.at(at + "/expected", "selfTests[" + n + "].expected names an output the card does not declare: " + t.expected().keySet()));
                }
                if (t.tolerance() == null || t.tolerance() < 0) {
                    p.add(Problem.at(at + "/tolerance", "selfTests[" + n + "].tolerance must be given and not negative"));
                }
                if (!features.isEmpty() && (t.inputs() == null || !features.containsAll(t.inputs().keySet()))) {
                    p.add(Problem.at(at + "/inputs", "selfTests[" + n + "].inputs must name declared features"));
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

    private static void token(List<Problem> p, String pointer, String field, String value) {
        if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            p.add(Problem.at(pointer, field + " must be a token of letters, digits, '.', '_' or '-': " + value));
        }
    }

    private static void text(List<Problem> p, String pointer, String field, String value) {
        if (value == null || value.isBlank()) {
            p.add(Problem.at(pointer, field + " is required"));
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
