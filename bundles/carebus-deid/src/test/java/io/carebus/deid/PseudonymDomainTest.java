package io.carebus.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.deid.PatientIdentifier;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PseudonymDomainTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private final PseudonymDomain domain = new PseudonymDomain("k1", SECRET, 30);
    private final PatientIdentifier mrn = new PatientIdentifier("urn:oid:1.2.3", "MRN-42");

    @Test
    void samePatientSamePseudonymShiftAndNameAcrossInstancesAndSpellingsOfTheAuthority() {
        PseudonymDomain again = new PseudonymDomain("k1", SECRET, 30);
        assertThat(again.pseudonym(mrn)).isEqualTo(domain.pseudonym(mrn)).startsWith("Pk1-").hasSize(20);
        assertThat(again.dateShiftDays(mrn)).isEqualTo(domain.dateShiftDays(mrn));
        assertThat(again.replacementName(mrn)).containsExactly(domain.replacementName(mrn));
        assertThat(domain.pseudonym(new PatientIdentifier(" URN:OID:1.2.3 ", "MRN-42"))).isEqualTo(domain.pseudonym(mrn));
        assertThat(domain.pseudonym(new PatientIdentifier("urn:oid:1.2.4", "MRN-42"))).isNotEqualTo(domain.pseudonym(mrn));
    }

    @Test
    void anotherKeyGivesUnrelatedPseudonymsMarkedWithItsId() {
        PseudonymDomain rotated = new PseudonymDomain("k2", OTHER, 30);
        assertThat(rotated.pseudonym(mrn)).startsWith("Pk2-").isNotEqualTo(domain.pseudonym(mrn).replace("Pk1", "Pk2"));
    }

    @Test
    void shiftsStayInRangeAreNeverZeroAndSpreadOut() {
        Set<Integer> shifts = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int shift = domain.dateShiftDays(new PatientIdentifier("s", "p" + i));
            assertThat(shift).isBetween(-30, 30).isNotZero();
            shifts.add(shift);
        }
        assertThat(shifts).hasSize(60);
    }

    @Test
    void zipCodesFollowSafeHarbor() {
        assertThat(PseudonymDomain.zip3("02139-4307")).isEqualTo("021");
        assertThat(PseudonymDomain.zip3("03601")).isEqualTo("000");
        assertThat(PseudonymDomain.zip3("12")).isNull();
    }

    @Test
    void uidsAreStableUnderThe225Root() {
        assertThat(domain.uid("1.2.840.113619.2.55.3")).startsWith("2.25.").isEqualTo(domain.uid("1.2.840.113619.2.55.3"))
                .isNotEqualTo(domain.uid("1.2.840.113619.2.55.4"));
        assertThat(domain.uid("1.2.3").length()).isLessThanOrEqualTo(64);
    }

    @Test
    void shortOrMalformedKeysAreRefused() {
        assertThatThrownBy(() -> new PseudonymDomain("k1", new byte[16], 30)).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new PseudonymDomain("k-1", SECRET, 30)).hasMessageContaining("key ids");
    }
}
