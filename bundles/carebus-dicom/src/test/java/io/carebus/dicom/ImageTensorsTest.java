package io.carebus.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import io.carebus.api.model.ModelCard;
import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensor conversion against values computed by hand from the DICOM rules (PS3.3 C.11.1 modality LUT, C.11.2 VOI). */
class ImageTensorsTest {

    @TempDir
    Path dir;

    private static ModelCard.ImageInput spec(int size, double center, double width, String normalisation) {
        return new ModelCard.ImageInput("CT", "CHEST", size, size, center, width, normalisation);
    }

    /** 4×4 CT, stored values 0, 100, ..., 1500 row by row; HU = stored - 1024. */
    private Path ramp(TestImages.Spec base) throws IOException {
        return TestImages.write(base, dir.resolve(base.instance() + ".dcm"));
    }

    private static TestImages.Spec rampSpec() {
        return TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 4, (x, y) -> (y * 4 + x) * 100);
    }

    private static ImageTensors.Tensor tensor(ImageTensors.Result result) {
        assertThat(result).isInstanceOf(ImageTensors.Tensor.class);
        return (ImageTensors.Tensor) result;
    }

    @Test
    void hounsfieldUnitsAreWindowedLinearly() throws IOException {
        // window C=40 W=400: below -160 (HU) -> 0, above 239 -> 1, else (x - 39.5)/399 + 0.5
        ImageTensors.Tensor t = tensor(ImageTensors.convert(ramp(rampSpec()), spec(4, 40, 400, "unit")));
        assertThat(t.shape()).containsExactly(1, 1, 4, 4);
        for (int i = 0; i < 16; i++) {
            double hu = i * 100 - 1024;
            double expected = hu <= 40 - 0.5 - 199.5 ? 0 : hu > 40 - 0.5 + 199.5 ? 1 : (hu - 39.5) / 399 + 0.5;
            assertThat(t.data()[i]).as("pixel %d (HU %s)", i, hu).isCloseTo((float) expected, within(1e-6f));
        }
        // pixel 9: HU -124 -> (−124 − 39.5)/399 + 0.5 = 0.0902255...
        assertThat(t.data()[9]).isCloseTo(0.0902256f, within(1e-6f));
        assertThat(t.data()[0]).isZero();
        assertThat(t.data()[15]).isEqualTo(1f);
    }

    @Test
    void rescaleSlopeInterceptAndSignedPixelsAreHonoured() throws IOException {
        // signed stored values -8..7 (x + 4y - 8), slope 2, intercept 10: value = 2*s + 10, range -6..24; window C=9 W=31
        TestImages.Spec signed = TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 4, (x, y) -> x + 4 * y - 8)
                .withRescale(2, 10, true);
        ImageTensors.Tensor t = tensor(ImageTensors.convert(ramp(signed), spec(4, 9, 31, "unit")));
        for (int i = 0; i < 16; i++) {
            double v = 2 * (i - 8) + 10;
            double expected = v <= 9 - 0.5 - 15 ? 0 : v > 9 - 0.5 + 15 ? 1 : (v - 8.5) / 30 + 0.5;
            assertThat(t.data()[i]).as("pixel %d", i).isCloseTo((float) expected, within(1e-6f));
        }
        // stored -8 is value -6, just inside the window: (-6 - 8.5)/30 + 0.5; read as unsigned it would be 1
        assertThat(t.data()[0]).isCloseTo(1f / 60, within(1e-6f));
    }

    @Test
    void monochrome1IsInverted() throws IOException {
        ImageTensors.Tensor normal = tensor(ImageTensors.convert(ramp(rampSpec()), spec(4, 40, 400, "unit")));
        ImageTensors.Tensor inverted = tensor(ImageTensors.convert(ramp(rampSpec().withPhotometric("MONOCHROME1")),
                spec(4, 40, 400, "unit")));
        for (int i = 0; i < 16; i++) {
            assertThat(inverted.data()[i]).isCloseTo(1 - normal.data()[i], within(1e-6f));
        }
    }

    @Test
    void bilinearResizeAveragesPixelCentres() throws IOException {
        // full-range window, so windowed = (HU + 1024) / 1500 nearly linearly; 4x4 -> 2x2 averages each 2x2 block
        ImageTensors.Tensor full = tensor(ImageTensors.convert(ramp(rampSpec()), spec(4, -274, 1502, "unit")));
        ImageTensors.Tensor half = tensor(ImageTensors.convert(ramp(rampSpec()), spec(2, -274, 1502, "unit")));
        float[] f = full.data();
        assertThat(half.data()[0]).isCloseTo((f[0] + f[1] + f[4] + f[5]) / 4, within(1e-6f));
        assertThat(half.data()[1]).isCloseTo((f[2] + f[3] + f[6] + f[7]) / 4, within(1e-6f));
        assertThat(half.data()[3]).isCloseTo((f[10] + f[11] + f[14] + f[15]) / 4, within(1e-6f));
        // 4x4 -> 8x8 keeps the corners (edges clamped) and interpolates between pixel centres
        ImageTensors.Tensor doubled = tensor(ImageTensors.convert(ramp(rampSpec()), spec(8, -274, 1502, "unit")));
        assertThat(doubled.data()[0]).isCloseTo(f[0], within(1e-6f));
        assertThat(doubled.data()[63]).isCloseTo(f[15], within(1e-6f));
        // output x=1 sits at source x=0.25 between pixels 0 and 1
        assertThat(doubled.data()[1]).isCloseTo(f[0] * 0.75f + f[1] * 0.25f, within(1e-6f));
    }

    @Test
    void theDatasetWindowIsUsedWhenTheCardHasNoneAndNormalisationsApply() throws Exception {
        AttributeList list = TestImages.attributes(rampSpec());
        DecimalStringAttribute center = new DecimalStringAttribute(TagFromName.WindowCenter);
        center.addValue("-524");
        list.put(center);
        DecimalStringAttribute width = new DecimalStringAttribute(TagFromName.WindowWidth);
        width.addValue("1001");
        list.put(width);
        Path file = write(list, "windowed.dcm");
        ImageTensors.Tensor unit = tensor(ImageTensors.convert(file, spec(4, 0, 0, null)));
        assertThat(unit.windowCenter()).isEqualTo(-524);
        assertThat(unit.windowWidth()).isEqualTo(1001);
        // pixel 5: HU -524 -> exactly mid-window: (−524 + 524.5)/1000 + 0.5 = 0.5005
        assertThat(unit.data()[5]).isCloseTo(0.5005f, within(1e-6f));
        ImageTensors.Tensor symmetric = tensor(ImageTensors.convert(file, spec(4, 0, 0, "symmetric")));
        assertThat(symmetric.data()[5]).isCloseTo(0.001f, within(1e-5f));
        ImageTensors.Tensor z = tensor(ImageTensors.convert(file, spec(4, 0, 0, "zscore:0.5,0.25")));
        assertThat(z.data()[5]).isCloseTo(0.002f, within(1e-5f));
        assertThat(ImageTensors.convert(file, spec(4, 0, 0, "imagenet"))).isInstanceOf(ImageTensors.Abstain.class);
    }

    @Test
    void theMiddleFrameOfAMultiFrameImageUnlessToldOtherwise() throws Exception {
        AttributeList list = TestImages.attributes(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 2, (x, y) -> 0));
        short[] frames = new short[3 * 4];
        for (int f = 0; f < 3; f++) {
            for (int i = 0; i < 4; i++) {
                frames[f * 4 + i] = (short) (1024 + f * 100);
            }
        }
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(frames);
        list.put(pixels);
        IntegerStringAttribute count = new IntegerStringAttribute(TagFromName.NumberOfFrames);
        count.addValue(3);
        list.put(count);
        Path file = write(list, "frames.dcm");
        // window 0..200 HU: frame f (HU 100f) -> (100f - 99.5)/199 + 0.5
        ImageTensors.Tensor middle = tensor(ImageTensors.convert(file, spec(2, 100, 200, "unit")));
        assertThat(middle.frame()).isEqualTo(1);
        assertThat(middle.data()[0]).isCloseTo((float) ((100 - 99.5) / 199 + 0.5), within(1e-6f));
        ImageTensors.Tensor last = tensor(ImageTensors.convert(file, spec(2, 100, 200, "unit"), 2));
        assertThat(last.data()[0]).isEqualTo(1f);
        assertThat(ImageTensors.convert(file, spec(2, 100, 200, "unit"), 3)).isInstanceOf(ImageTensors.Abstain.class);
    }

    @Test
    void jpegBaselineFromImg2dcmIsDecoded() throws Exception {
        // a 64x64 grey image: left half 40, right half 220, as a PGM -> cjpeg (baseline) -> img2dcm (Secondary Capture)
        StringBuilder pgm = new StringBuilder("P2\n64 64\n255\n");
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                pgm.append(x < 32 ? 40 : 220).append(' ');
            }
            pgm.append('\n');
        }
        Path image = Files.writeString(dir.resolve("two-level.pgm"), pgm, StandardCharsets.US_ASCII);
        Path jpeg = dir.resolve("two-level.jpg");
        Dcmtk.Result cjpeg = Dcmtk.run("cjpeg", "-quality", "95", "-grayscale", "-outfile", jpeg.toString(), image.toString());
        assertThat(cjpeg.exitCode()).as(cjpeg.output()).isZero();
        Path dicom = dir.resolve("two-level.dcm");
        Dcmtk.Result img2dcm = Dcmtk.run("img2dcm", "-k", "Modality=OT", jpeg.toString(), dicom.toString());
        assertThat(img2dcm.exitCode()).as(img2dcm.output()).isZero();
        ModelCard.ImageInput any = new ModelCard.ImageInput(null, null, 16, 16, 130, 181, "unit");
        ImageTensors.Tensor t = tensor(ImageTensors.convert(dicom, any));
        // window 130/181 covers 40..220: left ≈ (40 - 129.5)/180 + .5 ≈ 0.003, right ≈ 1.0 (lossy: within 0.05)
        assertThat(t.data()[16 * 8 + 2]).isCloseTo(0.0f, within(0.05f));
        assertThat(t.data()[16 * 8 + 13]).isCloseTo(1.0f, within(0.05f));
    }

    @Test
    void imagesTheModelDoesNotTakeAreAbstainedFromWithAReason() throws IOException {
        Path ct = ramp(rampSpec());
        ModelCard.ImageInput mr = new ModelCard.ImageInput("MR", "CHEST", 4, 4, 40, 400, "unit");
        ImageTensors.Result result = ImageTensors.convert(ct, mr);
        assertThat(result).isInstanceOf(ImageTensors.Abstain.class);
        assertThat(((ImageTensors.Abstain) result).reason()).contains("MR").contains("CT");
        ModelCard.ImageInput head = new ModelCard.ImageInput("CT", "HEAD", 4, 4, 40, 400, "unit");
        assertThat(ImageTensors.convert(ct, head)).isInstanceOf(ImageTensors.Abstain.class);
        Path garbage = Files.write(dir.resolve("garbage.dcm"), new byte[] {1, 2, 3});
        assertThat(ImageTensors.convert(garbage, mr)).isInstanceOf(ImageTensors.Abstain.class);
    }

    private Path write(AttributeList list, String name) throws Exception {
        FileMetaInformation.addFileMetaInformation(list, TestImages.EXPLICIT_LE, "TESTGEN");
        Path file = dir.resolve(name);
        list.write(file.toFile(), TestImages.EXPLICIT_LE, true, true);
        return file;
    }

    @Test
    void dimensionsThatOverflowOrExceedThePixelDataAreRefusedBeforeAllocation() throws Exception {
        Path small = ramp(rampSpec());
        // 65535 × 65535 overflows an int (it used to make a negative array size); 30000 × 30000 × 1000 frames would
        // ask for terabytes; the pixel data of both is 4 × 4 pixels
        int[][] lies = {{65535, 65535, 1}, {30000, 30000, 1000}};
        for (int[] lie : lies) {
            AttributeList list = new AttributeList();
            list.read(small.toFile());
            com.pixelmed.dicom.UnsignedShortAttribute rows = new com.pixelmed.dicom.UnsignedShortAttribute(TagFromName.Rows);
            rows.addValue(lie[0]);
            list.put(rows);
            com.pixelmed.dicom.UnsignedShortAttribute columns = new com.pixelmed.dicom.UnsignedShortAttribute(TagFromName.Columns);
            columns.addValue(lie[1]);
            list.put(columns);
            IntegerStringAttribute frames = new IntegerStringAttribute(TagFromName.NumberOfFrames);
            frames.addValue(lie[2]);
            list.put(frames);
            Path lying = dir.resolve("lying-" + lie[0] + "-" + lie[2] + ".dcm");
            list.write(lying.toFile(), TestImages.EXPLICIT_LE, true, true);
            ImageTensors.Result result = ImageTensors.convert(lying, spec(4, 40, 400, "unit"), 0);
            assertThat(result).isInstanceOf(ImageTensors.Abstain.class);
            assertThat(((ImageTensors.Abstain) result).reason()).contains("pixel data shorter than rows × columns × frames");
        }
    }
}
