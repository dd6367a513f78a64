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
import java.util.Set;

/**
 * Builds a tabular model's features from FHIR R4 Observations (a Bundle, or a single Observation, as JSON) per its
 * card: for each feature, the Observations whose code matches the card's {@code system|code} (in {@code code} or a
 * component), final/amended/corrected only, with a numeric valueQuantity, effective within the feature's window
 * before {@code asOf}; the value is converted to the card's unit ({@link UnitConversions}) and aggregated (last,
 * min, max, mean, slope per hour, count). A feature with no usable value is left out, so the card's default or the
 * "insufficient data" answer applies — never a guess. Age (LOINC 30525-0) without an age observation is the
 * Patient's age at {@code asOf}; sex (LOINC 46098-0, 76689-9) is the Patient's gender, male 1 and female 0.
 */
final class ObservationFeatures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ObservationFeatures() {
    }

    /** One usable value; {@code source} is the observation's first identifier ({@code system|value}) or its reference. */
    record Point(Instant at, double value, String source) {
        Point(Instant at, double value) {
            this(at, value, null);
        }
    }

    /** A card feature as this class needs it (from the card inside the engine, or the model card API). */
    record Spec(String name, String code, String unit, String window, String aggregate) {
    }

    /** The features found, and per feature the observations that fed it (empty for one taken from the Patient). */
    record Extraction(Map<String, Double> features, Map<String, List<String>> basis) {
    }

    /** LOINC "Age": when no age observation is there, computed from Patient.birthDate at as-of. */
    static final String AGE = "http://loinc.org|30525-0";
    /** LOINC "Sex" and "Sex assigned at birth": from Patient.gender, male 1, female 0 (other and unknown: missing). */
    static final Set<String> SEX = Set.of("http://loinc.org|46098-0", "http://loinc.org|76689-9");
    /** Safe Harbor's aggregate: every age over 89 is 90 ("90 or older"). */
    static final int AGE_CAP = 90;

    static Map<String, Double> extract(CardDocument card, String fhirJson, Instant asOf) throws IOException {
        return evaluate(specs(card), fhirJson, asOf).features();
    }

    static List<Spec> specs(CardDocument card) {
        List<Spec> specs = new ArrayList<>();
        for (CardDocument.TabularFeature f : card.inputs().tabular()) {
            specs.add(new Spec(f.name(), f.code(), f.unit(), f.window(), f.aggregate()));
        }
        return specs;
    }

    static List<Spec> specs(io.carebus.api.model.ModelCard card) {
        List<Spec> specs = new ArrayList<>();
        for (io.carebus.api.model.ModelCard.TabularInput f : card.tabularInputs() == null
                ? List.<io.carebus.api.model.ModelCard.TabularInput>of() : card.tabularInputs()) {
            specs.add(new Spec(f.name(), f.code(), f.unit(), f.window(), f.aggregate()));
        }
        return specs;
    }

    static Extraction evaluate(List<Spec> specs, String fhirJson, Instant asOf) throws IOException {
        JsonNode root = JSON.readTree(fhirJson);
        List<JsonNode> observations = new ArrayList<>();
        JsonNode patient = null;
        if ("Bundle".equals(root.path("resourceType").asText())) {
            for (JsonNode entry : root.path("entry")) {
                String type = entry.path("resource").path("resourceType").asText();
                if ("Observation".equals(type)) {
                    observations.add(entry.path("resource"));
                } else if ("Patient".equals(type) && patient == null) {
                    patient = entry.path("resource");
                }
            }
        } else if ("Observation".equals(root.path("resourceType").asText())) {
            observations.add(root);
        } else if ("Patient".equals(root.path("resourceType").asText())) {
            patient = root;
        } else {
            throw new IllegalArgumentException("expected a FHIR Bundle or Observation, got " + root.path("resourceType").asText("no resourceType"));
        }
        // Each observation's status and time are read once, not once per feature: a timeline holds hundreds of
        // observations and a card a dozen features, and parsing the same times again for each was the engine's
        // largest cost per score.
        List<Placed> placed = new ArrayList<>(observations.size());
        for (JsonNode o : observations) {
            if (usable(o)) {
                effective(o).filter(at -> !at.isAfter(asOf)).ifPresent(at -> placed.add(new Placed(o, at)));
            }
        }
        Map<String, Double> features = new LinkedHashMap<>();
        Map<String, List<String>> basis = new LinkedHashMap<>();
        for (Spec f : specs) {
            String[] code = f.code().split("\\|", 2);
            Duration window = f.window() == null ? null : Duration.parse(f.window());
            Instant windowStart = window == null ? null : asOf.minus(window);
            List<Point> points = new ArrayList<>();
            for (Placed o : placed) {
                if (windowStart != null && o.at().isBefore(windowStart)) {
                    continue;
                }
                String source = null;
                for (JsonNode quantity : quantities(o.observation(), code[0], code[1])) {
                    if (source == null) {
                        source = source(o.observation());
                    }
                    String from = source;
                    UnitConversions.convert(quantity.path("value").asDouble(), unit(quantity), f.unit())
                            .ifPresent(v -> points.add(new Point(o.at(), v, from)));
                }
            }
            String aggregate = f.aggregate() == null ? "last" : f.aggregate();
            Optional<Double> value = aggregate(points, aggregate);
            if (value.isPresent()) {
                features.put(f.name(), value.get());
                basis.put(f.name(), used(points, aggregate, value.get()));
            } else if (patient != null) {
                Optional<Double> demographic = AGE.equals(f.code()) ? ageAt(patient.path("birthDate").asText(""), asOf)
                        : SEX.contains(f.code()) ? sex(patient.path("gender").asText("")) : Optional.empty();
                demographic.ifPresent(v -> {
                    features.put(f.name(), v);
                    basis.put(f.name(), List.of());
                });
            }
        }
        return new Extraction(features, basis);
    }

    /** A usable observation and its effective time, read once per evaluation. */
    private record Placed(JsonNode observation, Instant at) {
    }

    /** The observations behind an aggregate: the one chosen for last/min/max, all of the window's for the others. */
    private static List<String> used(List<Point> points, String aggregate, double value) {
        java.util.LinkedHashSet<String> sources = new java.util.LinkedHashSet<>();
        switch (aggregate) {
            case "last" -> sources.add(points.get(points.size() - 1).source());
            case "min", "max" -> points.stream().filter(p -> p.value() == value).findFirst().ifPresent(p -> sources.add(p.source()));
            default -> points.forEach(p -> sources.add(p.source()));
        }
        sources.remove(null);
        return List.copyOf(sources);
    }

    private static String source(JsonNode o) {
        for (JsonNode id : o.path("identifier")) {
            if (id.hasNonNull("value")) {
                return id.path("system").asText("") + "|" + id.path("value").asText();
            }
        }
        return o.hasNonNull("id") ? "Observation/" + o.path("id").asText() : null;
    }

    /**
     * Whole years at as-of (its UTC date), at most {@link #AGE_CAP}. A partial birth date gives an age only where
     * every day it could stand for gives the same one, except a year alone that lies 89 or more years back: that is
     * how Safe Harbor writes "over 89" (the year 90 years before de-identification; the shifted as-of may fall in
     * the year before), so it is 90, as the real birth date also gives after the cap.
     */
    static Optional<Double> ageAt(String birthDate, Instant asOf) {
        java.time.LocalDate on = java.time.LocalDate.ofInstant(asOf, java.time.ZoneOffset.UTC);
        java.time.LocalDate oldest;
        java.time.LocalDate youngest;
        try {
            if (birthDate.matches("\\d{4}")) {
                int year = Integer.parseInt(birthDate);
                if (on.getYear() - year >= AGE_CAP - 1) {
                    return Optional.of((double) AGE_CAP);
                }
                oldest = java.time.LocalDate.of(year, 1, 1);
                youngest = java.time.LocalDate.of(year, 12, 31);
            } else if (birthDate.matches("\\d{4}-\\d{2}")) {
                java.time.YearMonth month = java.time.YearMonth.parse(birthDate);
                oldest = month.atDay(1);
                youngest = month.atEndOfMonth();
            } else if (birthDate.length() >= 10) {
                oldest = java.time.LocalDate.parse(birthDate.substring(0, 10));
                youngest = oldest;
            } else {
                return Optional.empty();
            }
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
        if (youngest.isAfter(on)) {
            return Optional.empty();
        }
        int most = Math.min(AGE_CAP, java.time.Period.between(oldest, on).getYears());
        int least = Math.min(AGE_CAP, java.time.Period.between(youngest, on).getYears());
        return most == least ? Optional.of((double) most) : Optional.empty();
    }

    private static Optional<Double> sex(String gender) {
        return switch (gender) {
            case "male" -> Optional.of(1.0);
            case "female" -> Optional.of(0.0);
            default -> Optional.empty();
        };
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
