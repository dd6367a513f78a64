package io.carebus.inference.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a tabular model's features from FHIR R4 Observations (a Bundle, or a single Observation, as JSON) per its
 * card: for each feature, the Observations whose code matches the card's {@code system|code} (in {@code code} or a
 * component), final/amended/corrected only, with a numeric valueQuantity, effective within the feature's window
 * before {@code asOf}; the value is converted to the card's unit ({@link UnitConversions}) and aggregated (last,
 * min, max, mean, slope per hour, count). A feature with no usable value is left out, so the card's default or the
 * "insufficient data" answer applies — never a guess.
 */
final class ObservationFeatures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ObservationFeatures() {
    }

    record Point(Instant at, double value) {
    }

    static Map<String, Double> extract(CardDocument card, String fhirJson, Instant asOf) throws IOException {
        JsonNode root = JSON.readTree(fhirJson);
        List<JsonNode> observations = new ArrayList<>();
        if ("Bundle".equals(root.path("resourceType").asText())) {
            for (JsonNode entry : root.path("entry")) {
                if ("Observation".equals(entry.path("resource").path("resourceType").asText())) {
                    observations.add(entry.path("resource"));
                }
            }
        } else if ("Observation".equals(root.path("resourceType").asText())) {
            observations.add(root);
        } else {
            throw new IllegalArgumentException("expected a FHIR Bundle or Observation, got " + root.path("resourceType").asText("no resourceType"));
        }
        Map<String, Double> features = new LinkedHashMap<>();
        for (CardDocument.TabularFeature f : card.inputs().tabular()) {
            String[] code = f.code().split("\\|", 2);
            Duration window = f.window() == null ? null : Duration.parse(f.window());
            List<Point> points = new ArrayList<>();
            for (JsonNode o : observations) {
                if (!usable(o)) {
                    continue;
                }
                Optional<Instant> at = effective(o);
                if (at.isEmpty() || at.get().isAfter(asOf) || (window != null && at.get().isBefore(asOf.minus(window)))) {
                    continue;
                }
                for (JsonNode quantity : quantities(o, code[0], code[1])) {
                    UnitConversions.convert(quantity.path("value").asDouble(), unit(quantity), f.unit())
                            .ifPresent(v -> points.add(new Point(at.get(), v)));
                }
            }
            aggregate(points, f.aggregate() == null ? "last" : f.aggregate()).ifPresent(v -> features.put(f.name(), v));
        }
        return features;
    }

    private static boolean usable(JsonNode o) {
        String status = o.path("status").asText("final");
        return status.equals("final") || status.equals("amended") || status.equals("corrected");
    }

    private static Optional<Instant> effective(JsonNode o) {
        String text = o.path("effectiveDateTime").asText(o.path("effectivePeriod").path("end").asText(o.path("issued").asText("")));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty(); // date-only or partial times cannot be placed in a window of hours
        }
    }

    /** The valueQuantity of the Observation, or of its components, whose coding matches. */
    private static List<JsonNode> quantities(JsonNode o, String system, String code) {
        List<JsonNode> found = new ArrayList<>();
        if (matches(o.path("code"), system, code) && o.path("valueQuantity").path("value").isNumber()) {
            found.add(o.path("valueQuantity"));
        }
        for (JsonNode c : o.path("component")) {
            if (matches(c.path("code"), system, code) && c.path("valueQuantity").path("value").isNumber()) {
                found.add(c.path("valueQuantity"));
            }
        }
        return found;
    }

    private static boolean matches(JsonNode concept, String system, String code) {
        for (JsonNode coding : concept.path("coding")) {
            if (system.equals(coding.path("system").asText()) && code.equals(coding.path("code").asText())) {
                return true;
            }
        }
        return false;
    }

    private static String unit(JsonNode quantity) {
        return quantity.has("code") ? quantity.path("code").asText() : quantity.path("unit").asText("");
    }

    static Optional<Double> aggregate(List<Point> points, String aggregate) {
        if (points.isEmpty()) {
            return aggregate.equals("count") ? Optional.of(0.0) : Optional.empty();
        }
        points.sort(Comparator.comparing(Point::at));
        return switch (aggregate) {
            case "last" -> Optional.of(points.get(points.size() - 1).value());
            case "min" -> points.stream().map(Point::value).min(Double::compare);
            case "max" -> points.stream().map(Point::value).max(Double::compare);
            case "mean" -> Optional.of(points.stream().mapToDouble(Point::value).average().orElseThrow());
            case "count" -> Optional.of((double) points.size());
            case "slope" -> slopePerHour(points);
            default -> throw new IllegalArgumentException("unknown aggregate " + aggregate);
        };
    }

    /** Least-squares slope in units per hour; needs two points at different times. */
    private static Optional<Double> slopePerHour(List<Point> points) {
        if (points.size() < 2) {
            return Optional.empty();
        }
        Instant origin = points.get(0).at();
        double n = points.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Point p : points) {
            double x = Duration.between(origin, p.at()).toMillis() / 3_600_000.0;
            sx += x;
            sy += p.value();
            sxx += x * x;
            sxy += x * p.value();
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? Optional.empty() : Optional.of((n * sxy - sx * sy) / denominator);
    }
}
