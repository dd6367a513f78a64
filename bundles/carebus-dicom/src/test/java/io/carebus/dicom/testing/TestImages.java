package io.carebus.dicom.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntBinaryOperator;

/**
 * Synthetic DICOM for tests and benchmarks, written with PixelMed: CT-like 16-bit images with a known pattern, in
 * studies and series with fresh 2.25 UIDs. No real patient: names and ids are made up.
 */
public final class TestImages {

    public static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    public static final String SC = "1.2.840.10008.5.1.4.1.1.7";
    public static final String RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5";
    public static final String EXPLICIT_LE = TransferSyntax.ExplicitVRLittleEndian;

    private TestImages() {
    }

    public static String uid() {
        UUID u = UUID.randomUUID();
        BigInteger value = new BigInteger(1, java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
        return "2.25." + value;
    }

    /** What to write: one image's identity and pixels. */
    public record Spec(String sopClass, String study, String series, String instance, int rows, int columns,
                       double slope, double intercept, String photometric, boolean signed, IntBinaryOperator pixel,
                       String patientId, String patientName, String modality, String bodyPart) {

        public static Spec ct(String study, String series, int size, IntBinaryOperator pixel) {
            return new Spec(CT, study, series, uid(), size, size, 1, -1024, "MONOCHROME2", false, pixel, "PAT-0001",
                    "Testpatient^Alice", "CT", "CHEST");
        }

        public Spec withSopClass(String sopClass) {
            return new Spec(sopClass, study, series, instance, rows, columns, slope, intercept, photometric, signed, pixel,
                    patientId, patientName, modality, bodyPart);
        }

        public Spec withRescale(double slope, double intercept, boolean signed) {
            return new Spec(sopClass, study, series, instance, rows, columns, slope, intercept, photometric, signed, pixel,
                    patientId, patientName, modality, bodyPart);
        }

        public Spec withPhotometric(String photometric) {
            return new Spec(sopClass, study, series, instance, rows, columns, slope, intercept, photometric, signed, pixel,
                    patientId, patientName, modality, bodyPart);
        }
    }

    public static AttributeList attributes(Spec spec) throws DicomException {
        AttributeList list = new AttributeList();
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), spec.sopClass());
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), spec.instance());
        put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), spec.study());
        put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), spec.series());
        put(list, new CodeStringAttribute(TagFromName.Modality), spec.modality());
        put(list, new PersonNameAttribute(TagFromName.PatientName), spec.patientName());
        put(list, new LongStringAttribute(TagFromName.PatientID), spec.patientId());
        put(list, new DateAttribute(TagFromName.PatientBirthDate), "19700101");
        put(list, new DateAttribute(TagFromName.StudyDate), "20261101");
        put(list, new TimeAttribute(TagFromName.StudyTime), "101500");
        put(list, new ShortStringAttribute(TagFromName.AccessionNumber), "ACC-1");
        put(list, new LongStringAttribute(TagFromName.StudyDescription), "Synthetic chest CT");
        put(list, new CodeStringAttribute(TagFromName.BodyPartExamined), spec.bodyPart());
        put(list, new IntegerStringAttribute(TagFromName.SeriesNumber), "1");
        put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "1");
        put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), spec.photometric());
        putUs(list, TagFromName.SamplesPerPixel, 1);
        putUs(list, TagFromName.Rows, spec.rows());
        putUs(list, TagFromName.Columns, spec.columns());
        putUs(list, TagFromName.BitsAllocated, 16);
        putUs(list, TagFromName.BitsStored, 16);
        putUs(list, TagFromName.HighBit, 15);
        putUs(list, TagFromName.PixelRepresentation, spec.signed() ? 1 : 0);
        put(list, new DecimalStringAttribute(TagFromName.RescaleSlope), Double.toString(spec.slope()));
        put(list, new DecimalStringAttribute(TagFromName.RescaleIntercept), Double.toString(spec.intercept()));
        short[] pixels = new short[spec.rows() * spec.columns()];
        for (int y = 0; y < spec.rows(); y++) {
            for (int x = 0; x < spec.columns(); x++) {
                pixels[y * spec.columns() + x] = (short) spec.pixel().applyAsInt(x, y);
            }
        }
        OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
        pixelData.setValues(pixels);
        list.put(pixelData);
        return list;
    }

    public static Path write(Spec spec, Path file) throws IOException {
        try {
            AttributeList list = attributes(spec);
            FileMetaInformation.addFileMetaInformation(list, EXPLICIT_LE, "TESTGEN");
            list.write(file.toFile(), EXPLICIT_LE, true, true);
            return file;
        } catch (DicomException e) {
            throw new IOException(e);
        }
    }

    /** {@code count} CT instances of one new study and series, 16-bit {@code size}², in {@code dir}. */
    public static List<Path> ctSeries(Path dir, int count, int size) throws IOException {
        String study = uid();
        String series = uid();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seed = i;
            files.add(write(Spec.ct(study, series, size, (x, y) -> (x * 7 + y * 13 + seed) & 0x0FFF), dir.resolve("ct-" + i + ".dcm")));
        }
        return files;
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static void putUs(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute attribute = new UnsignedShortAttribute(tag);
        attribute.addValue(value);
        list.put(attribute);
    }
}
