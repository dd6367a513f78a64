package io.carebus.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.TagFromName;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.api.deid.Pseudonymizer;
import io.carebus.dicom.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With Clean Descriptors, the free text an instance keeps (comments, descriptions) goes through the engine's free-text
 * detector, given the patient and its date shift; coded and device strings do not. Without the option PixelMed removes
 * the descriptions and nothing reaches the detector.
 */
class DicomDeidentifierTextTest {

    /** The pseudonym contract with a fixed shift (the keyed one is carebus-deid's, which this bundle cannot use). */
    private static final Pseudonymizer FIXED = new Pseudonymizer() {
        @Override
        public String pseudonym(PatientIdentifier patient) {
            return "P-" + Integer.toHexString(patient.value().hashCode());
        }

        @Override
        public int dateShiftDays(PatientIdentifier patient) {
            return 12;
        }

        @Override
        public String keyId() {
            return "t";
        }

        @Override
        public String[] replacementName(PatientIdentifier patient) {
            return new String[] {"Doe", "Pat"};
        }

        @Override
        public String identifier(String system, String value) {
            return "X" + Integer.toHexString(value.hashCode());
        }

        @Override
        public String uid(String original) {
            return "2.25." + Integer.toUnsignedString(original.hashCode());
        }
    };

    private static byte[] instance() throws Exception {
        AttributeList list = TestImages.attributes(new TestImages.Spec(TestImages.CT, TestImages.uid(), TestImages.uid(), TestImages.uid(),
                8, 8, 1, -1024, "MONOCHROME2", false, (x, y) -> 1000, "884422", "Whitfield^Harold", "CT", "CHEST"));
        put(list, new LongTextAttribute(TagFromName.ImageComments), "daughter Emiko 319-555-0190");
        put(list, new LongStringAttribute(TagFromName.StudyDescription), "CT chest, called Emiko");
        put(list, new LongStringAttribute(TagFromName.Manufacturer), "Emiko Scanners");
        FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "TEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, "1.2.840.10008.1.2.1", true, true);
        return out.toByteArray();
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws Exception {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static String value(byte[] part10, com.pixelmed.dicom.AttributeTag tag) throws Exception {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in);
        }
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    @Test
    void keptDescriptionsAndCommentsGoThroughTheTextCleanerWithThePatientAndItsShift() throws Exception {
        List<String> seen = new ArrayList<>();
        DicomDeidentifier deid = new DicomDeidentifier(FIXED, (text, patient, shift, phrases) -> {
            seen.add(text.strip()); // PixelMed pads values to an even length
            assertThat(patient.value()).isEqualTo("884422");
            assertThat(shift).isEqualTo(12);
            assertThat(phrases).contains("Whitfield", "Harold");
            return text.replace("Emiko", "[NAME]").replace("319-555-0190", "[PHONE]");
        });
        DicomDeidentifier.Options clean = new DicomDeidentifier.Options(true, true, true, true, Set.of(), DicomDeidentifier.BurnedIn.REJECT,
                List.of());
        byte[] out = deid.deidentify(instance(), clean).part10();
        assertThat(value(out, TagFromName.ImageComments)).isEqualTo("daughter [NAME] [PHONE]");
        assertThat(value(out, TagFromName.StudyDescription)).isEqualTo("CT chest, called [NAME]");
        // a device string is not free text a person wrote: kept (Retain Device Identity), not cleaned
        assertThat(value(out, TagFromName.Manufacturer)).isEqualTo("Emiko Scanners");
        assertThat(seen).containsExactlyInAnyOrder("daughter Emiko 319-555-0190", "CT chest, called Emiko");
    }

    @Test
    void withoutCleanDescriptorsTheTextGoesAndNothingReachesTheCleaner() throws Exception {
        List<String> seen = new ArrayList<>();
        DicomDeidentifier deid = new DicomDeidentifier(FIXED, (text, patient, shift, phrases) -> {
            seen.add(text);
            return text;
        });
        byte[] out = deid.deidentify(instance(), DicomDeidentifier.Options.defaults()).part10();
        assertThat(value(out, TagFromName.ImageComments)).isEmpty();
        assertThat(value(out, TagFromName.StudyDescription)).isEmpty();
        assertThat(seen).isEmpty();
    }
}
