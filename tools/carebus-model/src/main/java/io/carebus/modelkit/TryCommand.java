package io.carebus.modelkit;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.Prediction;
import io.carebus.explain.TabularExplainers;
import io.carebus.fhir.ResultResources;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistries;
import io.carebus.inference.ModelView;
import io.carebus.inference.check.ModelBundleValidator;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs a model bundle offline on a patient's FHIR Bundle with the appliance's own code: the bundle checked and opened
 * as the extender does, the features extracted from the Observations as {@code carebus:infer} does (codes, units,
 * windows before the as-of time, aggregates), the explanation of {@code carebus:explain}, and the FHIR resources of
 * {@code carebus:fhir-results}.
 */
@Command(name = "try", description = "Runs a bundle offline on a FHIR Bundle of a patient's Observations and prints the features, "
        + "the outputs, the explanation and the FHIR resources the appliance would emit.")
final class TryCommand implements Callable<Integer> {

    /** The largest FHIR Bundle read (a patient's recent observations; the appliance caps its inputs too). */
    private static final long MAX_FHIR_BYTES = 32L * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the model bundle jar")
    Path jar;

    @Option(names = "--fhir", required = true, description = "a FHIR R4 Bundle (JSON) of the patient's Observations")
    Path fhir;

    @Option(names = "--as-of", description = "the time features are computed as of (ISO instant; default: the newest observation's time)")
    Instant asOf;

    @Option(names = "--subject", defaultValue = "try-subject", description = "the pseudonym results name as subject")
    String subject;

    @Option(names = "--trust", description = "trust store to check the signature against (default: the jar's own signer)")
    Path trustStore;

    @Option(names = "--trust-password", defaultValue = "carebus-demo")
    String trustPassword;

    @Option(names = "--seed", defaultValue = "1", description = "seed of sampled explanations (the appliance's default: 1)")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (Files.size(fhir) > MAX_FHIR_BYTES) {
            throw new IllegalArgumentException(fhir + " is larger than 32 MB");
        }
        String json = Files.readString(fhir, StandardCharsets.UTF_8);
        List<X509Certificate> trusted = trustStore != null ? ModelBundleValidator.certificates(trustStore, trustPassword)
                : BundleFiles.signer(jar).map(List::of).orElse(List.of());
        PrintWriter out = spec.commandLine().getOut();
        try (ModelRegistries.Standalone registry = ModelRegistries.open(trusted, List.of(jar), 1, 1)) {
            ModelView model = registry.models().get(0);
            Instant at = asOf != null ? asOf : TryInputs.newestObservation(json).orElse(Instant.now());
            out.println("model: " + model.modelId() + " " + model.version() + "   as of: " + at);
            InferenceResult result;
            try {
                result = registry.inferFhir(model.modelId(), model.version(), subject, json, at);
            } catch (InsufficientDataException e) {
                out.println("INSUFFICIENT_DATA: " + e.getMessage());
                out.flush();
                return CareBusModel.REFUSED;
            }
            out.println("features:");
            new TreeMap<>(result.features()).forEach((k, v) -> out.println("  " + k + " = " + v));
            Prediction prediction = result.prediction();
            out.println("outputs:");
            prediction.outputs().forEach((k, v) -> out.println("  " + k + " = " + v));
            ModelCard card;
            try (ModelLease lease = registry.lease(model.modelId(), model.version())) {
                card = lease.card();
            }
            Explanation explanation = null;
            if (card.imageInput() == null) {
                ModelCard.ModelOutput first = card.outputs().get(0);
                explanation = TabularExplainers.over(registry).explain(model.modelId(), model.version(), first.label(), result.features(), seed);
                out.println("explanation of " + first.label() + " (" + explanation.method() + "), base " + explanation.baseValue() + ":");
                for (Explanation.FeatureContribution c : explanation.contributions()) {
                    out.println("  " + c.feature() + " = " + c.inputValue() + " " + (c.unit() == null ? "" : c.unit()) + "  -> " + c.contribution());
                }
            }
            out.println("FHIR resources:");
            out.println(FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true).encodeResourceToString(resources(prediction, card, explanation)));
            out.flush();
            return CareBusModel.OK;
        }
    }

    /** What carebus:fhir-results emits for the prediction: the model's Device, one result per card output, a Provenance. */
    private Bundle resources(Prediction prediction, ModelCard card, Explanation explanation) {
        ResultResources results = ResultResources.forNode("carebus-model-try");
        Reference patient = new Reference().setType("Patient").setIdentifier(new org.hl7.fhir.r4.model.Identifier()
                .setSystem("urn:carebus:pseudonym").setValue(subject));
        List<Resource> emitted = new ArrayList<>();
        List<Reference> targets = new ArrayList<>();
        for (ModelCard.ModelOutput output : card.outputs()) {
            Resource r = results.result(prediction, card, output, patient, explanation, List.of());
            if (r != null) {
                emitted.add(r);
                targets.add(ResultResources.referenceTo(r, results.engineIdentifierOf(r).orElseThrow()));
            }
        }
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        if (!emitted.isEmpty()) {
            bundle.addEntry().setResource(results.modelDevice(prediction.model(), card.vendor()));
            emitted.forEach(r -> bundle.addEntry().setResource(r));
            bundle.addEntry().setResource(results.provenance(targets, prediction, List.of(), explanation == null ? null : explanation.method()));
        }
        return bundle;
    }

    /** Reading the FHIR input loosely, for the default as-of time. */
    static final class TryInputs {
        static java.util.Optional<Instant> newestObservation(String json) {
            try {
                var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
                Instant newest = null;
                for (var entry : root.path("entry")) {
                    String t = entry.path("resource").path("effectiveDateTime").asText(null);
                    if (t != null && t.length() > 10) {
                        Instant i = java.time.OffsetDateTime.parse(t).toInstant();
                        newest = newest == null || i.isAfter(newest) ? i : newest;
                    }
                }
                return java.util.Optional.ofNullable(newest);
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }
    }
}
