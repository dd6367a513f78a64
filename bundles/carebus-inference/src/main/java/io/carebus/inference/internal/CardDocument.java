package io.carebus.inference.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The model card as written in YAML (schema: {@code docs/model-card.schema.json}, reference: {@code docs/model-card.md}). Field
 * names follow the CHAI applied model card where they fit ({@code intendedUse}, {@code outOfScopeUse} as
 * contraindications, {@code trainingData}, {@code performance}, {@code changeControl}). Unknown fields are refused,
 * so a misspelt field does not silently fall back to a default.
 */
record CardDocument(
        String id,
        String version,
        String vendor,
        String name,
        String intendedUse,
        List<String> contraindications,
        List<ModelFile> files,
        Inputs inputs,
        List<Output> outputs,
        Explanation explanation,
        TrainingData trainingData,
        Performance performance,
        String changeControl,
        List<SelfTest> selfTests,
        String disclaimer) {

    /** A file of the bundle with its SHA-256; the one with {@code role: model} is the ONNX graph served. */
    record ModelFile(String path, String sha256, String role) {
    }

    record Inputs(String onnxInput, List<TabularFeature> tabular, ImageSpec image) {
    }

    /** One feature: where it comes from in FHIR (code as system|code), its unit, window and aggregate. */
    record TabularFeature(String name, String code, String unit, String window, String aggregate,
                          @JsonProperty("default") Double defaultValue, String impute) {
    }

    record ImageSpec(String modality, String bodyPart, int width, int height, Double rescaleSlope, Double rescaleIntercept,
                     Double windowCenter, Double windowWidth, String normalisation) {
    }

    /** One result: which ONNX output (and element) it is, its type and threshold, and the FHIR result it becomes. */
    record Output(String label, String onnxOutput, Integer index, String type, Double threshold, String fhirResource,
                  String code) {
    }

    record Explanation(String method, String background, String activationOutput, String headGraph, Integer budgetCalls) {
    }

    record TrainingData(String summary, String source, Integer size, String period) {
    }

    record Performance(Map<String, Double> overall, List<Subgroup> subgroups, String evaluation) {
    }

    record Subgroup(String name, Integer size, Map<String, Double> metrics) {
    }

    /** Inputs by feature name (tabular) and the expected outputs by label, within {@code tolerance}. */
    record SelfTest(Map<String, Double> inputs, Map<String, Double> expected, Double tolerance) {
    }
}
