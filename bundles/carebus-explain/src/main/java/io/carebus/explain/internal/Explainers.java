package io.carebus.explain.internal;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.explain.TabularExplainer;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Chooses the method by the card and the model: {@code linear-shap} cards get exact values when the model proves
 * linear in its link, else (and for other methods) permutation sampling with the card's budget
 * ({@code explanation.budgetCalls} permutations, default 500). One lease holds the version for the whole
 * explanation, so a swap in between cannot mix two models' outputs.
 */
@Component(service = TabularExplainer.class)
public class Explainers implements TabularExplainer {

    static final int DEFAULT_PERMUTATIONS = 500;

    private final ModelRegistry registry;
    /** Per model version (id, version, sha256): its parsed background and, if linear, its coefficients. */
    private final Map<io.carebus.api.model.ModelId, Prepared> prepared = new java.util.concurrent.ConcurrentHashMap<>();

    private record Prepared(float[][] background, Map<String, Optional<LinearShap.Coefficients>> linearByOutput) {
    }

    @Activate
    public Explainers(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Explanation explain(String modelId, String version, String label, Map<String, Double> features, long seed)
            throws InsufficientDataException {
        return explain(modelId, version, label, features, seed, "auto");
    }

    @Override
    public Explanation explain(String modelId, String version, String label, Map<String, Double> features, long seed,
            String method) throws InsufficientDataException {
        long start = System.nanoTime();
        try (ModelLease model = registry.lease(modelId, version)) {
            ModelCard card = model.card();
            if (card.tabularInputs().isEmpty()) {
                throw new IllegalArgumentException(modelId + " is an imaging model; tabular explanations do not apply");
            }
            ModelCard.ModelOutput output = card.outputs().stream().filter(o -> o.label().equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(modelId + " has no output " + label));
            Prepared ready = prepared.computeIfAbsent(model.id(), id -> new Prepared(Background.read(model.file("background")
                    .orElseThrow(() -> new IllegalArgumentException(modelId + "@" + id.version()
                            + " ships no background sample (a file with role background)")), model.features()),
                    new java.util.concurrent.ConcurrentHashMap<>()));
            float[][] background = ready.background();
            float[] x = model.row(features);
            Link link = Link.forOutputType(output.type());
            Optional<LinearShap.Coefficients> linear = !"linear-shap".equals(card.explanationMethod()) || "sampling".equals(method)
                    ? Optional.empty()
                    : ready.linearByOutput().computeIfAbsent(label, l -> LinearShap.probe(model, l, link, background));
            double[] phi;
            double base;
            double out;
            String used;
            long calls;
            Optional<LinearShap.Result> exact = linear.map(c -> LinearShap.explain(model, label, link, x, c));
            if (exact.isPresent()) {
                phi = exact.get().contributions();
                base = exact.get().base();
                out = exact.get().output();
                used = "linear-shap (exact, " + link.name().toLowerCase() + " space)";
                calls = 1;
            } else {
                int permutations = model.explanationBudget().orElse(DEFAULT_PERMUTATIONS);
                SamplingShapley.Result sampled = SamplingShapley.explain(model, label, link, x, background, permutations, seed);
                phi = sampled.contributions();
                base = sampled.base();
                out = sampled.output();
                used = "sampling-shapley (" + permutations + " permutations, seed " + seed + ", "
                        + link.name().toLowerCase() + " space)";
                calls = 1;
            }
            List<Explanation.FeatureContribution> contributions = new ArrayList<>();
            for (int i = 0; i < phi.length; i++) {
                ModelCard.TabularInput input = card.tabularInputs().get(i);
                contributions.add(new Explanation.FeatureContribution(input.name(), x[i], input.unit(), phi[i]));
            }
            return new Explanation(used, base, out, contributions, null, calls, (System.nanoTime() - start) / 1e6);
        }
    }
}
