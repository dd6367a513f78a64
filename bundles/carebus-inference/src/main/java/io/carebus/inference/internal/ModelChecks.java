package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.carebus.api.model.ModelId;
import io.carebus.inference.check.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks that need the opened session, in the one order every path runs them (the extender, the standalone
 * registry, the vendor kit's validator): the Grad-CAM head graph, then the card's self-tests; and the checks of the
 * background sample an explanation reads.
 */
final class ModelChecks {

    private ModelChecks() {
    }

    /** Opens the model on the CPU with {@code options} and completes its checks; the session is the caller's. */
    static OrtModel open(OrtEnvironment env, ModelBundleInspector.ModelPackage pkg, OrtSession.SessionOptions options)
            throws ModelRefusedException {
        ModelId id = new ModelId(pkg.card().id(), pkg.card().version(), pkg.modelSha256());
        return complete(OrtModel.open(env, id, pkg.card(), pkg.model(), options), env, pkg.files(), options);
    }

    /** Gives the opened model its files and runs the head graph and self-test checks; releases it when one fails. */
    static OrtModel complete(OrtModel model, OrtEnvironment env, Map<String, byte[]> files, OrtSession.SessionOptions headOptions)
            throws ModelRefusedException {
        model.withFiles(files);
        try {
            model.openHead(env, headOptions);
            SelfTests.run(model);
            return model;
        } catch (ModelRefusedException | RuntimeException e) {
            model.release();
            throw e;
        }
    }

    /**
     * The background sample (a file with role {@code background}, or the one {@code explanation.background} names):
     * CSV, a header naming every tabular feature, at least one row of numbers. Problems refuse the bundle; a SHAP
     * method on a tabular model without any background is a warning (explanations of it fail; scores do not).
     */
    static List<Problem> backgroundProblems(CardDocument card, Map<String, byte[]> files, List<String> warnings) {
        List<Problem> problems = new ArrayList<>();
        String named = card.explanation() == null ? null : card.explanation().background();
        CardDocument.ModelFile file = null;
        int index = -1;
        for (int i = 0; i < card.files().size(); i++) {
            CardDocument.ModelFile f = card.files().get(i);
            if ("background".equals(CardReader.role(f)) || f.path().equals(named)) {
                file = f;
                index = i;
                if (!"background".equals(CardReader.role(f))) {
                    problems.add(Problem.at("/files/" + i + "/role", "explanation.background " + named + " must be listed with role background"));
                }
                break;
            }
        }
        boolean tabular = card.inputs().tabular() != null;
        String method = card.explanation() == null || card.explanation().method() == null ? "" : card.explanation().method();
        if (file == null) {
            if (named != null) {
                problems.add(Problem.at("/explanation/background", "explanation.background " + named + " is not a file the card lists"));
            } else if (tabular && method.toLowerCase(Locale.ROOT).contains("shap")) {
                warnings.add("explanation.method " + method + " needs a background sample (a file with role background); "
                        + "without one, explanations of this model fail");
            }
            return problems;
        }
        byte[] bytes = files.get(file.path());
        if (bytes == null || !tabular) {
            return problems;
        }
        String at = "/files/" + index + "/path";
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).limit(100_001).toList();
        if (lines.size() < 2) {
            problems.add(Problem.at(at, "the background sample " + file.path() + " has no rows"));
            return problems;
        }
        List<String> header = List.of(lines.get(0).strip().split("\\s*,\\s*"));
        for (CardDocument.TabularFeature f : card.inputs().tabular()) {
            if (!header.contains(f.name())) {
                problems.add(Problem.at(at, "the background sample " + file.path() + " has no column " + f.name()));
            }
        }
        for (int r = 1; r < lines.size() && problems.isEmpty(); r++) {
            String[] cells = lines.get(r).strip().split("\\s*,\\s*");
            if (cells.length != header.size()) {
                problems.add(Problem.at(at, "the background sample " + file.path() + " row " + r + " has " + cells.length
                        + " values, the header " + header.size()));
                break;
            }
            for (String cell : cells) {
                try {
                    Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    problems.add(Problem.at(at, "the background sample " + file.path() + " row " + r + " holds a non-number: " + cell));
                    break;
                }
            }
        }
        return problems;
    }
}
