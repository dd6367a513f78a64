package io.carebus.console.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Satisfied only when the inference bundle's registry is there; then offers /api/models to the servlet. */
@Component(service = ModelEndpoints.class)
public class ModelEndpointsComponent implements ModelEndpoints {

    private final ModelRegistry registry;
    private final ObjectMapper json = new ObjectMapper();

    @Activate
    public ModelEndpointsComponent(@Reference ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public AuditResource.Answer list() {
        return new AuditResource.Answer(200, Map.of("models", registry.models().stream().map(ModelEndpointsComponent::view).toList()));
    }

    static Map<String, Object> view(ModelView m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("bundleId", m.bundleId());
        v.put("bundle", m.bundle());
        v.put("model", m.modelId());
        v.put("version", m.version());
        v.put("sha256", m.sha256());
        v.put("state", m.state().name());
        v.put("reason", m.reason());
        v.put("signer", m.signer());
        v.put("since", m.since() == null ? null : m.since().toString());
        v.put("requests", m.requests());
        v.put("shadowComparison", m.shadowComparison());
        return v;
    }

    @Override
    public AuditResource.Answer post(String path, Function<String, String> param, byte[] body) {
        String[] parts = path.substring("/models/".length()).split("/");
        try {
            if (parts.length == 2 && parts[1].equals("rollback")) {
                registry.rollback(parts[0]);
                return list();
            }
            if (parts.length == 2 && parts[1].equals("predict")) {
                return predict(parts[0], param, body);
            }
            if (parts.length == 3) {
                ServingState target = switch (parts[2]) {
                    case "promote" -> ServingState.SERVING;
                    case "canary" -> ServingState.CANARY;
                    case "shadow" -> ServingState.SHADOW;
                    case "retire" -> ServingState.RETIRED;
                    default -> null;
                };
                if (target != null) {
                    registry.setState(parts[0], parts[1], target);
                    return list();
                }
            }
            return new AuditResource.Answer(404, Map.of("error", "no such resource: /api" + path));
        } catch (NoSuchElementException e) {
            return new AuditResource.Answer(404, Map.of("error", e.getMessage()));
        } catch (IllegalStateException | IllegalArgumentException e) {
            return new AuditResource.Answer(409, Map.of("error", e.getMessage()));
        }
    }

    private AuditResource.Answer predict(String model, Function<String, String> param, byte[] body) {
        Map<String, Double> features;
        try {
            features = json.readValue(body, new TypeReference<Map<String, Double>>() { });
        } catch (IOException e) {
            return new AuditResource.Answer(400, Map.of("error", "the body must be a JSON object of feature values: " + e.getMessage()));
        }
        String subject = param.apply("subject") == null ? "unknown" : param.apply("subject");
        try {
            InferenceResult r = registry.infer(model, param.apply("version"), subject, features);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("model", r.prediction().model().id());
            answer.put("version", r.prediction().model().version());
            answer.put("sha256", r.prediction().model().sha256().hex());
            answer.put("servedBy", r.servedBy().name());
            answer.put("subject", r.prediction().subjectPseudonym());
            answer.put("inputSha256", r.prediction().inputHash().hex());
            answer.put("outputs", r.prediction().outputs());
            answer.put("latencyMicros", r.latencyNanos() / 1000.0);
            return new AuditResource.Answer(200, answer);
        } catch (InsufficientDataException e) {
            return new AuditResource.Answer(422, Map.of("error", e.getMessage(), "missing", List.copyOf(e.missing())));
        }
    }
}
