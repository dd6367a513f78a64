package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import io.carebus.dicom.testing.TestImages;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PixelDataExtentTest {

    @TempDir
    Path dir;

    /** PixelMed's read up to Pixel Data stops just after the tag, in either VR encoding; the extent ends the file. */
    @ParameterizedTest
    @ValueSource(strings = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"})
    void aWholePixelMedFileEndsAtItsPixelData(String syntax) throws Exception {
        Path file = dir.resolve("ct.dcm");
        AttributeList list = TestImages.attributes(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 64, (x, y) -> x * y));
        FileMetaInformation.addFileMetaInformation(list, syntax, "TESTGEN");
        list.write(file.toFile(), syntax, true, true);

        long afterTag = afterPixelDataTag(file);
        assertThat(PixelDataExtent.endsTheFile(file, afterTag, !syntax.equals("1.2.840.10008.1.2"))).isTrue();

        // one byte short: truncated
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
        assertThat(PixelDataExtent.endsTheFile(file, afterTag, !syntax.equals("1.2.840.10008.1.2"))).isFalse();
        // something after the pixel data (trailing padding, a lying length): not accounted for, so unknown
        Files.write(file, Arrays.copyOf(bytes, bytes.length + 8));
        assertThat(PixelDataExtent.endsTheFile(file, afterTag, !syntax.equals("1.2.840.10008.1.2"))).isFalse();
    }

    @Test
    void encapsulatedFragmentsAreWalkedToTheDelimiter() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {'O', 'B', 0, 0, -1, -1, -1, -1});
        out.write(item(0xE000, new byte[0]));          // empty basic offset table
        out.write(item(0xE000, new byte[] {1, 2, 3, 4, 5, 6}));
        out.write(item(0xE000, new byte[] {7, 8}));
        out.write(item(0xE0DD, new byte[0]));
        byte[] element = out.toByteArray();
        Path file = Files.write(dir.resolve("jpeg.dcm"), element);
        assertThat(PixelDataExtent.endsTheFile(file, 0, true)).isTrue();

        // the delimiter missing (truncated stream)
        Files.write(file, Arrays.copyOf(element, element.length - 8));
        assertThat(PixelDataExtent.endsTheFile(file, 0, true)).isFalse();
        // a fragment claiming more than follows
        byte[] lying = element.clone();
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(8 + 8 + 4, 6000);
        Files.write(file, lying);
        assertThat(PixelDataExtent.endsTheFile(file, 0, true)).isFalse();
        // not pixel data's VR
        byte[] wrongVr = element.clone();
        wrongVr[0] = 'U';
        wrongVr[1] = 'S';
        Files.write(file, wrongVr);
        assertThat(PixelDataExtent.endsTheFile(file, 0, true)).isFalse();
        // bytes after the delimiter
        Files.write(file, element);
        Files.write(file, new byte[] {(byte) 0xFC, (byte) 0xFF, (byte) 0xFC, (byte) 0xFF}, StandardOpenOption.APPEND);
        assertThat(PixelDataExtent.endsTheFile(file, 0, true)).isFalse();
    }

    private static long afterPixelDataTag(Path file) throws Exception {
        try (DicomInputStream in = new DicomInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return new AttributeList().read(in, TagFromName.PixelData);
        }
    }

    private static byte[] item(int element, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8 + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xFFFE).putShort((short) element).putInt(value.length).put(value);
        return b.array();
    }
}
