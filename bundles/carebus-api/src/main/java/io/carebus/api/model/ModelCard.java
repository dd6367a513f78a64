package io.carebus.api.model;

import java.util.List;
import java.util.Objects;

/**
 * What a model bundle declares about its model (read from the YAML card named by the {@code CareBus-Model} manifest
 * header). The inputs tell the engine how to build the tensor from FHIR data, the outputs which FHIR result to emit.
 */
public record ModelCard(
        String id,
        String version,
        String vendor,
        String intendedUse,
        List<String> contraindications,
        List<TabularInput> tabularInputs,
        ImageInput imageInput,
        List<ModelOutput> outputs,
        String explanationMethod,
        String trainingDataSummary) {

    public ModelCard {
        ModelId.requireToken(id, "id");
        ModelId.requireToken(version, "version");
        ModelId.requireToken(vendor, "vendor");
        Objects.requireNonNull(intendedUse, "intendedUse");
        contraindications = List.copyOf(contraindications);
        tabularInputs = List.copyOf(tabularInputs);
        outputs = List.copyOf(outputs);
        if (tabularInputs.isEmpty() == (imageInput == null)) {
            throw new IllegalArgumentException("model " + id + " must declare either tabular inputs or one image input");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("model " + id + " declares no outputs");
        }
    }

    /** One feature of a tabular model: where its value comes from in FHIR and how it is aggregated. */
    public record TabularInput(String name, String code, String unit, String window, String aggregate, Double defaultValue) {
        public TabularInput {
            ModelId.requireToken(name, "input name");
            Objects.requireNonNull(code, "code");
        }
    }

    /** The single image input of an imaging model and how pixels become the tensor. */
    public record ImageInput(String modality, String bodyPart, int width, int height,
                             double windowCenter, double windowWidth, String normalisation) {
        public ImageInput {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
            }
        }
    }

    /** One model output and the FHIR resource it becomes. */
    public record ModelOutput(String label, String type, Double threshold, String fhirResource, String code) {
        public ModelOutput {
            ModelId.requireToken(label, "output label");
            Objects.requireNonNull(fhirResource, "fhirResource");
        }
    }
}
