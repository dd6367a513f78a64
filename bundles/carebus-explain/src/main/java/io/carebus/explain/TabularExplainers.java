package io.carebus.explain;

import io.carebus.explain.internal.Explainers;
import io.carebus.inference.ModelRegistry;

/**
 * The appliance's tabular explainer over any model registry, for tools outside the container (the vendor kit's
 * {@code try} explains with the same code the {@code carebus:explain} step uses).
 */
public final class TabularExplainers {

    private TabularExplainers() {
    }

    public static TabularExplainer over(ModelRegistry registry) {
        return new Explainers(registry);
    }
}
