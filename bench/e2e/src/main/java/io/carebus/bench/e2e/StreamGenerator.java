package io.carebus.bench.e2e;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthesizes the vital-sign and lab streams of a ward's patients (Synthea records few vitals per encounter): a
 * stable baseline per patient with measurement noise, and for a seeded share of them a deterioration towards sepsis
 * (rising heart rate, respiratory rate, temperature, white cells and lactate, falling systolic pressure) that starts
 * at a seeded step and reaches its full extent over an hour. The same seed and spec give the same stream, value for
 * value, on any machine.
 *
 * <p>Per patient: an admission, then one vitals observation set per step (5 simulated minutes by default) and one
 * lab set every {@code labEverySteps} steps (the first at step 0, so every card feature is known from the start).
 */
public final class StreamGenerator {

    /**
     * What to generate.
     *
     * @param start the time of step 0; every observation lies at or after it
     * @param deterioratingShare the share of patients (rounded) who deteriorate towards sepsis
     * @param labEverySteps a lab set every this many steps; 0: at step 0 only
     */
    public record Spec(long seed, int steps, Duration stepLength, int labEverySteps, double deterioratingShare, Instant start) {
        public Spec {
            if (steps < 1 || stepLength.isNegative() || stepLength.isZero() || labEverySteps < 0
                    || deterioratingShare < 0 || deterioratingShare > 1) {
                throw new IllegalArgumentException("bad stream spec " + steps + " " + stepLength + " " + labEverySteps + " "
                        + deterioratingShare);
            }
        }

        /** The simulated time the streams span. */
        public Duration span() {
            return stepLength.multipliedBy(steps);
        }
    }

    /** Steps from the onset of deterioration to its full extent (one hour at 5-minute steps). */
    static final int RAMP_STEPS = 12;

    private StreamGenerator() {
    }

    /** The patients (by index) who deteriorate: a seeded choice of exactly round(share × n) of them. */
    public static boolean[] deteriorating(int patients, Spec spec) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < patients; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new java.util.Random(spec.seed() ^ 0x5E9515L));
        boolean[] result = new boolean[patients];
        int count = (int) Math.round(spec.deterioratingShare() * patients);
        for (int i = 0; i < count; i++) {
            result[order.get(i)] = true;
        }
        return result;
    }

    /** Every patient's events, in time order (ties: patient, then admission, vitals, labs). */
    public static List<ClinicalEvent> generate(int patients, Spec spec) {
        boolean[] deteriorating = deteriorating(patients, spec);
        List<ClinicalEvent> events = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            events.addAll(forPatient(p, deteriorating[p], spec));
        }
        events.sort(Comparator.comparing(ClinicalEvent::time).thenComparingInt(ClinicalEvent::patient)
                .thenComparing(ClinicalEvent::kind));
        return events;
    }

    /** One patient's events in time order. */
    public static List<ClinicalEvent> forPatient(int patient, boolean deteriorates, Spec spec) {
        SplittableRandom random = new SplittableRandom(mix(spec.seed(), patient));
        // Patients are not all measured at the same second: a per-patient offset within the step.
        Duration offset = Duration.ofSeconds(random.nextLong(Math.max(1, spec.stepLength().toSeconds())));
        Baseline base = new Baseline(normal(random, 78, 8), normal(random, 15, 2), normal(random, 36.9, 0.25),
                normal(random, 126, 12), Math.exp(normal(random, Math.log(7.5), 0.2)), normal(random, 1.0, 0.2));
        int onset = deteriorates ? random.nextInt(Math.max(1, spec.steps() / 2)) : Integer.MAX_VALUE;

        List<ClinicalEvent> events = new ArrayList<>();
        Instant stepZero = spec.start().plus(offset);
        events.add(new ClinicalEvent(ClinicalEvent.Kind.ADMIT, patient, -1, stepZero.minus(Duration.ofMinutes(10)), java.util.Map.of()));
        for (int step = 0; step < spec.steps(); step++) {
            double p = step < onset ? 0 : Math.min(1.0, (step - onset + 1) / (double) RAMP_STEPS);
            Instant t = stepZero.plus(spec.stepLength().multipliedBy(step));
            EnumMap<Feature, BigDecimal> vitals = new EnumMap<>(Feature.class);
            vitals.put(Feature.HEART_RATE, Feature.HEART_RATE.reported(toward(base.hr, base.hr + 45, p) + normal(random, 0, 4)));
            vitals.put(Feature.RESP_RATE, Feature.RESP_RATE.reported(toward(base.rr, base.rr + 13, p) + normal(random, 0, 1.5)));
            vitals.put(Feature.TEMPERATURE, Feature.TEMPERATURE.reported(toward(base.temp, 39.3, p) + normal(random, 0, 0.15)));
            vitals.put(Feature.SYSTOLIC_BP, Feature.SYSTOLIC_BP.reported(toward(base.sbp, base.sbp - 38, p) + normal(random, 0, 6)));
            events.add(new ClinicalEvent(ClinicalEvent.Kind.VITALS, patient, step, t, java.util.Collections.unmodifiableMap(vitals)));
            if (step == 0 || (spec.labEverySteps() > 0 && step % spec.labEverySteps() == 0)) {
                EnumMap<Feature, BigDecimal> labs = new EnumMap<>(Feature.class);
                labs.put(Feature.WBC, Feature.WBC.reported(toward(base.wbc, 17.5, p) + normal(random, 0, 0.4)));
                labs.put(Feature.LACTATE, Feature.LACTATE.reported(toward(base.lactate, 4.4, p) + normal(random, 0, 0.12)));
                events.add(new ClinicalEvent(ClinicalEvent.Kind.LABS, patient, step, t, java.util.Collections.unmodifiableMap(labs)));
            }
        }
        return events;
    }

    private record Baseline(double hr, double rr, double temp, double sbp, double wbc, double lactate) {
    }

    private static double toward(double from, double to, double progress) {
        return from + (to - from) * progress;
    }

    private static long mix(long seed, int patient) {
        long z = seed + 0x9E3779B97F4A7C15L * (patient + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double normal(SplittableRandom random, double mean, double sd) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
