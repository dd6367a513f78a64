package io.carebus.inference.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Converts an observed value to the unit a model card asks for (UCUM codes, after mapping common non-UCUM spellings
 * of HL7 feeds). Only conversions that hold whatever the analyte are here (temperature, counts, pressure, age, mass
 * concentration scale); mass-to-molar conversions depend on the analyte and are not attempted. A value in a unit
 * that cannot be converted is left out rather than passed to the model at the wrong scale.
 */
final class UnitConversions {

    /** factor such that value_in_target = value_in_source * factor. */
    private static final Map<String, Double> FACTORS = Map.ofEntries(
            Map.entry("10*3/uL>10*9/L", 1.0), Map.entry("10*9/L>10*3/uL", 1.0),
            Map.entry("/uL>10*3/uL", 0.001), Map.entry("10*3/uL>/uL", 1000.0),
            Map.entry("kPa>mm[Hg]", 7.50062), Map.entry("mm[Hg]>kPa", 1 / 7.50062),
            Map.entry("mo>a", 1 / 12.0), Map.entry("d>a", 1 / 365.25),
            Map.entry("g/L>g/dL", 0.1), Map.entry("g/dL>g/L", 10.0),
            Map.entry("{beats}/min>/min", 1.0), Map.entry("/min>{beats}/min", 1.0),
            Map.entry("{breaths}/min>/min", 1.0), Map.entry("/min>{breaths}/min", 1.0));

    private UnitConversions() {
    }

    static Optional<Double> convert(double value, String from, String to) {
        String source = normalise(from);
        String target = normalise(to);
        if (source.equals(target)) {
            return Optional.of(value);
        }
        if (source.equals("[degF]") && target.equals("Cel")) {
            return Optional.of((value - 32) * 5 / 9);
        }
        if (source.equals("Cel") && target.equals("[degF]")) {
            return Optional.of(value * 9 / 5 + 32);
        }
        Double factor = FACTORS.get(source + ">" + target);
        return factor == null ? Optional.empty() : Optional.of(value * factor);
    }

    /** Common non-UCUM spellings found in HL7 feeds, mapped to their UCUM code. */
    static String normalise(String unit) {
        String u = unit == null ? "" : unit.strip();
        return switch (u.toLowerCase(Locale.ROOT)) {
            case "degc", "°c", "c", "cel" -> "Cel";
            case "degf", "°f", "f", "[degf]" -> "[degF]";
            case "bpm", "beats/min", "/min", "per min" -> "/min";
            case "mmhg", "mm hg", "mm[hg]" -> "mm[Hg]";
            case "k/ul", "10^3/ul", "10*3/ul", "x10e3/ul", "thou/ul" -> "10*3/uL";
            case "10^9/l", "10*9/l" -> "10*9/L";
            case "mmol/l" -> "mmol/L";
            case "years", "yr", "y", "a" -> "a";
            default -> u;
        };
    }
}
