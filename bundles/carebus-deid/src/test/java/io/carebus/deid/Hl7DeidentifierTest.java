package io.carebus.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class Hl7DeidentifierTest {

    private final PseudonymDomain domain = new PseudonymDomain("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 30);
    private final Hl7Deidentifier deid = new Hl7Deidentifier(domain);

    private static String field(String message, String segment, int field) {
        for (String line : message.split("\r")) {
            if (line.startsWith(segment + "|")) {
                String[] f = line.split("\\|", -1);
                return segment.equals("MSH") ? f[field - 1] : field < f.length ? f[field] : "";
            }
        }
        return null;
    }

    @Test
    void aVeryOldPatientsBirthDateBecomesTheYearThatMakesNinetyAndDatesKeepTheirPrecision() throws Exception {
        String msg = "MSH|^~\\&|A|B|C|D|20261127101500||ADT^A08^ADT_A01|1|P|2.5\rPID|1||77^^^HOSP^MR||Old^Person||19200304\r"
                + "PV1|1|I" + "|".repeat(42) + "2026112710";
        Hl7Deidentifier.Result result = deid.deidentify(msg, Hl7Profile.builtIn("safe-harbor"), List.of());
        assertThat(field(result.message(), "PID", 7)).isEqualTo("1936");
        String admit = field(result.message(), "PV1", 44);
        // Issue 26: not merely changed, but moved by this patient's own shift, to the hour it had (precision kept).
        int shift = domain.dateShiftDays(result.patient());
        assertThat(shift).as("a shift of 0 would prove nothing").isNotZero();
        assertThat(result.shiftDays()).isEqualTo(shift);
        java.time.format.DateTimeFormatter hour = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHH");
        assertThat(admit).hasSize(10).isEqualTo(java.time.LocalDateTime.parse("2026112710", hour).plusDays(shift).format(hour));
        assertThat(field(result.message(), "MSH", 7)).hasSize(14);
    }

    @Test
    void zSegmentsGoUnlessTheProfileKeepsAField() throws Exception {
        Properties p = new Properties();
        p.setProperty("Z*", "remove");
        p.setProperty("ZPI-3", "keep");
        p.setProperty("PID-3", "pseudonym");
        String msg = "MSH|^~\\&|A|B|C|D|20261127||ADT^A08^ADT_A01|1|P|2.5\rPID|1||77^^^HOSP^MR\rZPI|1|secret note|ward 7";
        String out = deid.deidentify(msg, Hl7Profile.of("site", p), List.of()).message();
        assertThat(field(out, "ZPI", 2)).isEmpty();
        assertThat(field(out, "ZPI", 3)).isEqualTo("ward 7");
        assertThat(field(out, "PID", 3)).startsWith("Pk1-").endsWith("^^^CAREBUS^MR");
    }

    @Test
    void aMistypedProfileLineIsRefusedNamingIt() {
        Properties p = new Properties();
        p.setProperty("PID-5", "blur");
        assertThatThrownBy(() -> Hl7Profile.of("site", p)).hasMessageContaining("PID-5 = blur");
        Properties q = new Properties();
        q.setProperty("PID5", "remove");
        assertThatThrownBy(() -> Hl7Profile.of("site", q)).hasMessageContaining("PID5");
    }
}
