package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PatientLaneKeyTest {

    private static PatientLaneKey key(String message) {
        return PatientLaneKey.of(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void thePatientIsTheFirstPid3RepetitionsIdAndAuthority() {
        PatientLaneKey k = key("MSH|^~\\&|LAB|HOSP|||20261205||ORU^R01|1|P|2.5.1\rPID|1||MRN-7^^^HOSP&1.2.3&ISO^MR~999^^^SSA^SS||Doe^J\rOBX|1|NM|8867-4^HR^LN||90\r");
        assertThat(k.patient()).isEqualTo("HOSP&1.2.3&ISO|MRN-7");
        assertThat(k.merge()).isFalse();
    }

    @Test
    void otherSeparatorsLineFeedsAndABomAreRead() {
        byte[] text = "MSH#*$!&#LAB#HOSP###20261205##ADT*A01#1#P#2.3\nEVN#A01\nPID#1#OLD# M1 ***H \n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(text, 0, withBom, 3, text.length);
        assertThat(PatientLaneKey.of(withBom).patient()).isEqualTo("H |M1");
    }

    @Test
    void theSamePatientGivesTheSameLaneAndMessagesWithoutOneTheFirst() {
        String a = "MSH|^~\\&|A|H|||x||ADT^A08|1|P|2.5\rPID|1||M1^^^H||X\r";
        String b = "MSH|^~\\&|B|H|||y||ORU^R01|2|P|2.5\rPID|1||M1^^^H^MR||Y\rOBR|1\r";
        assertThat(key(a).patient()).isEqualTo(key(b).patient());
        assertThat(key(a).lane(7)).isEqualTo(key(b).lane(7));
        assertThat(key("MSH|^~\\&|A|H|||x||MFN^M02|1|P|2.5\rMFI|PRA\r")).isEqualTo(PatientLaneKey.NONE);
        assertThat(key("MSH|^~\\&|A|H|||x||ADT^A08|1|P|2.5\rPID|1||^^^H\r").patient()).isNull();
        assertThat(key("MSH|^~\\&|A|H|||x||ADT^A08|1|P|2.5\rPID|1\r").lane(5)).isZero();
        assertThat(key("not hl7 at all")).isEqualTo(PatientLaneKey.NONE);
    }

    @Test
    void aMergeIsSeen() {
        PatientLaneKey k = key("MSH|^~\\&|A|H|||x||ADT^A40^ADT_A39|1|P|2.5\rEVN|A40\rPID|1||NEW^^^H||X\rMRG|OLD^^^H\r");
        assertThat(k.merge()).isTrue();
        assertThat(k.patient()).isEqualTo("H|NEW");
    }
}
