package io.carebus.explain.internal;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.Prediction;
import io.carebus.camel.RouteStep;
import io.carebus.explain.TabularExplainer;
import io.carebus.inference.InsufficientDataException;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code carebus:explain[?output=<label>&seed=<n>&method=auto|sampling]} after {@code carebus:infer}: explains the Prediction in the body
 * with the same model version and the features {@code carebus:infer} left in header {@code CareBusFeatures}; the
 * Explanation goes to header {@code CareBusExplanation}. Without a prediction (insufficient data) it does nothing.
 */
@Component(service = RouteStep.class)
public class ExplainStep implements RouteStep {

    private final TabularExplainer explainer;

    @Activate
    public ExplainStep(@Reference TabularExplainer explainer) {
        this.explainer = explainer;
    }

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public Set<String> options() {
        return Set.of("output", "seed", "method");
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange, Map<String, String> options) throws InsufficientDataException {
        Message in = exchange.getMessage();
        if (!(in.getBody() instanceof Prediction prediction)) {
            return;
        }
        Map<String, Double> features = in.getHeader("CareBusFeatures", Map.class);
        if (features == null) {
            throw new IllegalStateException("carebus:explain needs the features carebus:infer leaves in header CareBusFeatures");
        }
        String output = options.getOrDefault("output", prediction.outputs().keySet().iterator().next());
        long seed = Long.parseLong(options.getOrDefault("seed", "1"));
        Explanation explanation = explainer.explain(prediction.model().id(), prediction.model().version(), output, features, seed,
                options.getOrDefault("method", "auto"));
        in.setHeader("CareBusExplanation", explanation);
    }
}
