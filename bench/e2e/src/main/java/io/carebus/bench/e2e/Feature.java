package io.carebus.bench.e2e;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The observations the feed synthesizes: exactly the inputs of the {@code sepsis-risk} model card (LOINC code and
 * UCUM unit as the card declares them), whether a bedside monitor (vitals) or the laboratory sends them, and their
 * plausible range and precision. Age is not sent as an observation: the engine derives it from the birth date.
 */
public enum Feature {
    HEART_RATE("8867-4", "Heart rate", "/min", Source.VITALS, 0, 35, 190),
    RESP_RATE("9279-1", "Respiratory rate", "/min", Source.VITALS, 0, 6, 45),
    TEMPERATURE("8310-5", "Body temperature", "Cel", Source.VITALS, 1, 34.0, 42.0),
    SYSTOLIC_BP("8480-6", "Systolic blood pressure", "mm[Hg]", Source.VITALS, 0, 60, 220),
    WBC("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", Source.LABS, 1, 0.5, 40),
    LACTATE("2524-7", "Lactate [Moles/volume] in Serum or Plasma", "mmol/L", Source.LABS, 1, 0.3, 15);

    /** Who sends an observation: the vitals ORU and the labs ORU are separate messages, as in a real ward. */
    public enum Source { VITALS, LABS }

    public static final String LOINC = "http://loinc.org";
    public static final String UCUM = "http://unitsofmeasure.org";

    private final String loinc;
    private final String display;
    private final String ucum;
    private final Source source;
    private final int scale;
    private final double min;
    private final double max;

    Feature(String loinc, String display, String ucum, Source source, int scale, double min, double max) {
        this.loinc = loinc;
        this.display = display;
        this.ucum = ucum;
        this.source = source;
        this.scale = scale;
        this.min = min;
        this.max = max;
    }

    public String loinc() {
        return loinc;
    }

    public String display() {
        return display;
    }

    public String ucum() {
        return ucum;
    }

    public Source source() {
        return source;
    }

    /** A raw simulated value clamped to the plausible range and rounded as a device or analyser reports it. */
    public BigDecimal reported(double raw) {
        double clamped = Math.max(min, Math.min(max, raw));
        return BigDecimal.valueOf(clamped).setScale(scale, RoundingMode.HALF_UP);
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }
}
