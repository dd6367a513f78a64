package io.carebus.modelkit;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A starter model card written from an ONNX graph as ONNX Runtime reads it: the input and outputs with their names,
 * shapes and types filled in, everything only the vendor knows marked TODO (codes, units, windows, intended use,
 * training data, subgroup performance). Outputs the engine cannot read (not float/double tensors, such as the label
 * and ZipMap outputs of scikit-learn classifiers) are listed as comments with the reason.
 */
final class StarterCard {

    private StarterCard() {
    }

    static String write(byte[] onnx, String onnxPath, String id, String vendor) throws OrtException, java.security.GeneralSecurityException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions(); OrtSession session = env.createSession(onnx, options)) {
            StringBuilder y = new StringBuilder();
            y.append("# Starter model card written by 'carebus-model init' from ").append(onnxPath).append(".\n")
                    .append("# Replace every TODO (the kit refuses a card that still has one), then run\n")
                    .append("#   carebus-model selftest --generate   and   carebus-model validate\n")
                    .append("# Field reference: docs/model-card.md\n");
            y.append("id: ").append(id).append("\n");
            y.append("version: \"1.0.0\"\n");
            y.append("vendor: ").append(vendor).append("\n");
            y.append("name: TODO human-readable model name\n");
            y.append("intendedUse: >-\n  TODO who it is for, what it estimates, from which data, and what a clinician does with the result\n");
            y.append("contraindications:\n  - TODO where the model must not be used (populations, settings, devices)\n");
            y.append("files:\n  - path: ").append(onnxPath).append("\n    sha256: ")
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx))).append("\n    role: model\n");
            y.append("  # - {path: background.csv, sha256: <carebus-model selftest fills it in>, role: background}  # for SHAP explanations\n");
            Map<String, NodeInfo> inputs = session.getInputInfo();
            y.append("inputs:\n");
            if (inputs.size() != 1) {
                y.append("  # TODO the graph has ").append(inputs.size()).append(" inputs ").append(inputs.keySet())
                        .append("; the engine feeds one: name it in onnxInput\n");
            }
            Map.Entry<String, NodeInfo> input = inputs.entrySet().iterator().next();
            y.append("  onnxInput: ").append(input.getKey()).append("\n");
            long[] shape = input.getValue().getInfo() instanceof TensorInfo t ? t.getShape() : new long[0];
            boolean image = shape.length == 4;
            if (input.getValue().getInfo() instanceof TensorInfo t && t.type != OnnxJavaType.FLOAT) {
                y.append("  # TODO input ").append(input.getKey()).append(" is ").append(t.type)
                        .append("; the engine feeds float tensors: export the graph with a float input\n");
            }
            if (image) {
                y.append("  image:  # the graph takes ").append(Arrays.toString(shape)).append(" (batch, channels, height, width)\n")
                        .append("    modality: TODO DICOM modality, e.g. CT\n")
                        .append("    bodyPart: TODO DICOM body part, e.g. CHEST\n")
                        .append("    width: ").append(shape[3]).append("\n    height: ").append(shape[2]).append("\n")
                        .append("    windowCenter: -600  # TODO the window the model was trained on\n")
                        .append("    windowWidth: 1500  # TODO\n")
                        .append("    normalisation: zero-one  # TODO as in training\n");
            } else {
                long n = shape.length >= 2 && shape[shape.length - 1] > 0 ? shape[shape.length - 1] : 1;
                y.append("  tabular:  # the graph takes ").append(Arrays.toString(shape)).append(": ").append(n)
                        .append(" features, in this order\n");
                for (int i = 0; i < n; i++) {
                    y.append("    - name: feature_").append(i + 1).append("  # TODO the feature's name\n")
                            .append("      code: \"TODO system|code, e.g. http://loinc.org|2160-0\"\n")
                            .append("      unit: \"TODO UCUM unit, e.g. mg/dL\"\n")
                            .append("      window: PT24H  # TODO how far back it is read (ISO 8601)\n")
                            .append("      aggregate: last  # TODO last, min, max, mean, slope or count\n");
                }
            }
            y.append("outputs:\n");
            List<String> unusable = new ArrayList<>();
            for (Map.Entry<String, NodeInfo> o : session.getOutputInfo().entrySet()) {
                if (!(o.getValue().getInfo() instanceof TensorInfo t) || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE)) {
                    unusable.add(o.getKey() + " (" + o.getValue().getInfo() + ")");
                    continue;
                }
                y.append("  - label: ").append(o.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_"))
                        .append("  # TODO the name results carry\n")
                        .append("    onnxOutput: ").append(o.getKey()).append("  # ").append(Arrays.toString(t.getShape())).append("\n")
                        .append("    index: ").append(t.getShape().length > 1 && t.getShape()[t.getShape().length - 1] > 1 ? 1 : 0)
                        .append("  # TODO which element of each row is this result (e.g. the positive class)\n")
                        .append("    type: probability  # TODO probability, score, class or value\n")
                        .append("    threshold: 0.5  # TODO above it the result is flagged\n")
                        .append("    fhirResource: RiskAssessment  # TODO Observation, Condition, RiskAssessment or DiagnosticReport\n")
                        .append("    code: \"TODO system|code of the result, e.g. http://snomed.info/sct|...\"\n");
            }
            for (String u : unusable) {
                y.append("  # output ").append(u).append(" is not a float or double tensor, so the engine cannot serve it")
                        .append(" (scikit-learn: export with options={'zipmap': False})\n");
            }
            y.append("explanation:\n  method: ").append(image ? "grad-cam  # TODO grad-cam (needs activationOutput and headGraph) or occlusion"
                    : "sampling-shapley  # TODO or linear-shap when the model is linear in its link; both need a background file").append("\n");
            y.append("trainingData:\n  summary: >-\n    TODO the population, sites, period, inclusion criteria and labels\n")
                    .append("  source: TODO\n  size: 0  # TODO\n  period: TODO e.g. 2019-2023\n");
            y.append("performance:\n  evaluation: >-\n    TODO how and on what data the figures below were measured\n")
                    .append("  overall:\n    auroc: 0.0  # TODO\n")
                    .append("  subgroups:  # TODO one entry per subgroup you report (sex, age bands, sites, ...)\n")
                    .append("    - name: TODO\n      size: 0\n      metrics: {auroc: 0.0}\n");
            y.append("changeControl: >-\n  TODO what later versions may change (weights, training data) and what they keep (inputs, outputs)\n");
            y.append("# selfTests: written by 'carebus-model selftest --generate'\n");
            return y.toString();
        }
    }
}
