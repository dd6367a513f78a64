package io.carebus.explain.internal;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.Prediction;
import io.carebus.camel.RouteStep;
import io.carebus.explain.ImageExplainer;
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
 * {@code carebus:explain[?output=<label>&seed=<n>&method=...]} after {@code carebus:infer}: explains the Prediction in
 * the body with the same model version. Tabular models: the features {@code carebus:infer} left in header
 * {@code CareBusFeatures}, method {@code auto|sampling}. Imaging models: the tensor it left in header
 * {@code CareBusImageTensor}, method {@code auto|grad-cam|occlusion}, occlusion {@code window} and {@code stride} in
 * pixels. The Explanation goes to header {@code CareBusExplanation}. Without a prediction (insufficient data, an
 * abstained image) it does nothing.
 */
@Component(service = RouteStep.class)
public class ExplainStep implements RouteStep {

    private final TabularExplainer explainer;
    private final ImageExplainer images;

    @Activate
    public ExplainStep(@Reference TabularExplainer explainer, @Reference ImageExplainer images) {
        this.explainer = explainer;
        this.images = images;
    }

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public Set<String> options() {
        return Set.of("output", "seed", "method", "window", "stride");
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange, Map<String, String> options) throws InsufficientDataException {
        Message in = exchange.getMessage();
        if (!(in.getBody() instanceof Prediction prediction)) {
            return;
        }
        String output = options.getOrDefault("output", prediction.outputs().keySet().iterator().next());
        float[] image = in.getHeader("CareBusImageTensor", float[].class);
        if (image != null) {
            in.setHeader("CareBusExplanation", images.explain(prediction.model().id(), prediction.model().version(), output, image,
                    options.getOrDefault("method", "auto"),
                    Integer.parseInt(options.getOrDefault("window", Integer.toString(ImageExplainers.OCCLUSION_WINDOW))),
                    Integer.parseInt(options.getOrDefault("stride", Integer.toString(ImageExplainers.OCCLUSION_STRIDE)))));
            return;
        }
        Map<String, Double> features = in.getHeader("CareBusFeatures", Map.class);
        if (features == null) {
            throw new IllegalStateException("carebus:explain needs the features carebus:infer leaves in header CareBusFeatures");
        }
        long seed = Long.parseLong(options.getOrDefault("seed", "1"));
        Explanation explanation = explainer.explain(prediction.model().id(), prediction.model().version(), output, features, seed,
                options.getOrDefault("method", "auto"));
        in.setHeader("CareBusExplanation", explanation);
    }
}
