package io.carebus.models.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic adult inpatient cohort for the sepsis-risk demonstration model; no real patient is behind any row.
 *
 * <p>The simulator draws the outcome first (prevalence rising with age, about 15% overall), then each feature from
 * a class-conditional distribution chosen to overlap as in published sepsis screening data: worst heart rate,
 * respiratory rate and temperature and lowest systolic pressure over the last 6 h, last white cell count and lactate
 * over the last 24 h, and age. Two deliberate realisms: septic temperature is bimodal (fever, or hypothermia in a
 * third), and patients of 75 or more show a blunted heart rate and fever response, so the model is honestly worse
 * for them (visible in the card's subgroup figures). Lactate is missing for 30% of patients; the card's default
 * (1.2 mmol/L) stands in for it in training exactly as it will in the engine.
 */
public final class SepsisCohort {

    /** One patient: the features by name (in {@link #FEATURES} order), sex, and whether sepsis developed. */
    public record Patient(double[] features, String sex, boolean sepsis) {
        public double age() {
            return features[6];
        }
    }

    public static final List<String> FEATURES = List.of("heart_rate_max", "resp_rate_max", "temperature_max", "sbp_min",
            "wbc_last", "lactate_last", "age");
    public static final double LACTATE_DEFAULT = 1.2;

    private SepsisCohort() {
    }

    public static List<Patient> generate(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Patient> cohort = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            double age = clamp(18 + random.nextDouble() * 77 + gaussian(random) * 3, 18, 95);
            String sex = random.nextBoolean() ? "female" : "male";
            double prevalence = 0.08 + 0.12 * (age - 18) / 77;
            boolean sepsis = random.nextDouble() < prevalence;
            boolean elderly = age >= 75;
            double hr = sepsis ? normal(random, elderly ? 98 : 108, 18) : normal(random, 88, 14);
            double rr = sepsis ? normal(random, 23, 5) : normal(random, 18, 3.5);
            double temp;
            if (!sepsis) {
                temp = normal(random, 37.1, 0.5);
            } else if (random.nextDouble() < 0.3) {
                temp = normal(random, 36.2, 0.6);
            } else {
                temp = normal(random, elderly ? 37.8 : 38.4, 0.7);
            }
            double sbp = sepsis ? normal(random, 104, 20) : normal(random, 122, 16);
            double wbc = Math.exp(sepsis ? normal(random, Math.log(13), 0.45) : normal(random, Math.log(8), 0.3));
            double lactate = random.nextDouble() < 0.3 ? LACTATE_DEFAULT
                    : Math.exp(sepsis ? normal(random, Math.log(2.6), 0.5) : normal(random, Math.log(1.2), 0.35));
            cohort.add(new Patient(new double[] {round(hr), round(rr), round(temp), round(sbp), round(wbc), round(lactate), Math.floor(age)},
                    sex, sepsis));
        }
        return cohort;
    }

    private static double normal(SplittableRandom random, double mean, double sd) {
        return mean + sd * gaussian(random);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
