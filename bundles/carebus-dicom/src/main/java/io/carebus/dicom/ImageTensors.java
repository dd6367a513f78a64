package io.carebus.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import io.carebus.api.model.ModelCard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A DICOM image to a model's input tensor, as the model card's image spec says: frame selection (the middle frame of a
 * multi-frame image unless told), modality LUT (Rescale Slope/Intercept, so CT pixels become Hounsfield units),
 * VOI window (the card's, else the dataset's first, else the image's range; PS3.3 C.11.2.1.2 linear function),
 * MONOCHROME1 inversion, colour to luminance, bilinear resize to the card's width and height, then normalisation:
 * {@code unit} (window to 0..1, the default), {@code symmetric} (-1..1), {@code zscore:<mean>,<std>} (applied to 0..1).
 * What it cannot turn into a faithful tensor it does not guess at: the result is an {@link Abstain} with the reason.
 */
public final class ImageTensors {

    /** Uncompressed and JPEG Baseline (decoded by the JDK's ImageIO through PixelMed). */
    private static final Set<String> DECODABLE = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
            "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51");

    private ImageTensors() {
    }

    /** What came of a conversion. */
    public sealed interface Result permits Tensor, Abstain {
    }

    /**
     * The tensor, NCHW with N = C = 1 ({@code data} row-major, height × width), and the window that was applied
     * (center, width; in modality units, e.g. HU) so explanations can render on the same image.
     */
    public record Tensor(float[] data, int width, int height, double windowCenter, double windowWidth, int frame)
            implements Result {
        public long[] shape() {
            return new long[] {1, 1, height, width};
        }
    }

    /** Why the image was not converted: the model abstains rather than see a wrong image. */
    public record Abstain(String reason) implements Result {
    }

    public static Result convert(Path file, ModelCard.ImageInput spec) {
        return convert(file, spec, -1);
    }

    /** @param frame the frame (0-based) of a multi-frame image; -1 = the middle one */
    public static Result convert(Path file, ModelCard.ImageInput spec, int frame) {
        AttributeList list = new AttributeList();
        try {
            list.read(file.toFile());
        } catch (IOException | DicomException | RuntimeException e) {
            // Not the message: an I/O error names the file, whose path is made of the study's UIDs.
            return new Abstain("cannot read the DICOM file (" + e.getClass().getSimpleName() + ")");
        }
        String syntax = string(list, TagFromName.TransferSyntaxUID);
        if (!syntax.isEmpty() && !DECODABLE.contains(syntax)) {
            return new Abstain("transfer syntax " + syntax + " is not decoded here (uncompressed and JPEG Baseline are)");
        }
        String modality = string(list, TagFromName.Modality);
        if (spec.modality() != null && !spec.modality().isBlank() && !modality.isEmpty()
                && !spec.modality().equalsIgnoreCase(modality)) {
            return new Abstain("the model takes " + spec.modality() + " images, this one is " + modality);
        }
        String bodyPart = string(list, TagFromName.BodyPartExamined);
        if (spec.bodyPart() != null && !spec.bodyPart().isBlank() && !bodyPart.isEmpty()
                && !spec.bodyPart().equalsIgnoreCase(bodyPart)) {
            return new Abstain("the model takes " + spec.bodyPart() + " images, this one is " + bodyPart);
        }
        try {
            list.correctDecompressedImagePixelModule();
        } catch (DicomException e) {
            return new Abstain("cannot decode the pixel data: " + e.getMessage());
        }
        int rows = integer(list, TagFromName.Rows, 0);
        int columns = integer(list, TagFromName.Columns, 0);
        int samples = integer(list, TagFromName.SamplesPerPixel, 1);
        int bitsAllocated = integer(list, TagFromName.BitsAllocated, 0);
        int bitsStored = integer(list, TagFromName.BitsStored, bitsAllocated);
        boolean signed = integer(list, TagFromName.PixelRepresentation, 0) == 1;
        int frames = Math.max(1, integer(list, TagFromName.NumberOfFrames, 1));
        int planar = integer(list, TagFromName.PlanarConfiguration, 0);
        String photometric = string(list, TagFromName.PhotometricInterpretation).toUpperCase(Locale.ROOT);
        Attribute pixelData = list.get(TagFromName.PixelData);
        if (pixelData == null || rows <= 0 || columns <= 0) {
            return new Abstain("no pixel data");
        }
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            return new Abstain(bitsAllocated + "-bit pixels are not supported (8 and 16 are)");
        }
        boolean monochrome = photometric.startsWith("MONOCHROME");
        if (monochrome ? samples != 1 : !(samples == 3 && (photometric.equals("RGB") || photometric.startsWith("YBR_FULL")))) {
            return new Abstain("photometric interpretation " + photometric + " with " + samples + " samples is not supported");
        }
        int selected = frame < 0 ? frames / 2 : frame;
        if (selected >= frames) {
            return new Abstain("frame " + selected + " asked for, the image has " + frames);
        }
        // Rows, Columns and Number of Frames are the sender's word: checked against the pixel data that is really there
        // (long arithmetic, no overflow) before anything is allocated from them.
        long pixelCount;
        long needed;
        try {
            pixelCount = Math.multiplyExact((long) rows, (long) columns);
            needed = Math.multiplyExact(Math.multiplyExact(pixelCount, (long) samples), (long) frames);
        } catch (ArithmeticException e) {
            return new Abstain("rows × columns × frames does not fit in 64 bits");
        }
        long declaredBytes = pixelData.getVL();
        if (declaredBytes != 0xFFFFFFFFL && declaredBytes >= 0 && declaredBytes / (bitsAllocated / 8) < needed) {
            return new Abstain("pixel data shorter than rows × columns × frames");
        }
        short[] raw16 = null;
        byte[] raw8 = null;
        try {
            long available;
            if (bitsAllocated == 16) {
                raw16 = pixelData.getShortValues();
                available = raw16 == null ? 0 : raw16.length;
            } else {
                raw8 = pixelData.getByteValues();
                available = raw8 == null ? 0 : raw8.length;
            }
            if (available < needed) {
                return new Abstain("pixel data shorter than rows × columns × frames");
            }
        } catch (DicomException e) {
            return new Abstain("cannot read the pixel data: " + e.getMessage());
        }
        // needed <= an array's length, so every index below fits in an int
        int pixels = (int) pixelCount;
        double[] values = new double[pixels];
        if (raw16 != null) {
            short[] raw = raw16;
            int base = selected * pixels * samples;
            int shift = 32 - bitsStored;
            for (int i = 0; i < pixels; i++) {
                int v = raw[base + i * samples];
                values[i] = signed ? (v << shift) >> shift : (v & 0xFFFF) & (bitsStored >= 16 ? 0xFFFF : (1 << bitsStored) - 1);
            }
        } else {
            byte[] raw = raw8;
            int base = selected * pixels * samples;
            for (int i = 0; i < pixels; i++) {
                if (samples == 1) {
                    values[i] = signed ? raw[base + i] : raw[base + i] & 0xFF;
                } else {
                    int r;
                    int g;
                    int b;
                    if (planar == 0) {
                        r = raw[base + i * 3] & 0xFF;
                        g = raw[base + i * 3 + 1] & 0xFF;
                        b = raw[base + i * 3 + 2] & 0xFF;
                    } else {
                        r = raw[base + i] & 0xFF;
                        g = raw[base + pixels + i] & 0xFF;
                        b = raw[base + 2 * pixels + i] & 0xFF;
                    }
                    // YBR_FULL's first component is already luminance
                    values[i] = photometric.equals("RGB") ? 0.299 * r + 0.587 * g + 0.114 * b : r;
                }
            }
        }
        double slope = decimal(list, TagFromName.RescaleSlope, 1);
        double intercept = decimal(list, TagFromName.RescaleIntercept, 0);
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < pixels; i++) {
            values[i] = values[i] * slope + intercept;
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double center = spec.windowCenter();
        double width = spec.windowWidth();
        if (width <= 0) {
            width = decimal(list, TagFromName.WindowWidth, 0);
            center = decimal(list, TagFromName.WindowCenter, 0);
        }
        if (width <= 0) {
            center = (min + max) / 2;
            width = Math.max(1, max - min + 1);
        }
        float[] windowed = new float[pixels];
        double low = center - 0.5 - (width - 1) / 2;
        double high = center - 0.5 + (width - 1) / 2;
        boolean invert = photometric.equals("MONOCHROME1");
        for (int i = 0; i < pixels; i++) {
            double x = values[i];
            double y = x <= low ? 0 : x > high ? 1 : width <= 1 ? 1 : (x - (center - 0.5)) / (width - 1) + 0.5;
            windowed[i] = (float) (invert ? 1 - y : y);
        }
        float[] resized = resize(windowed, columns, rows, spec.width(), spec.height());
        String normalisation = spec.normalisation() == null ? "unit" : spec.normalisation().strip().toLowerCase(Locale.ROOT);
        if (normalisation.isEmpty() || normalisation.equals("unit")) {
            // already 0..1
        } else if (normalisation.equals("symmetric")) {
            for (int i = 0; i < resized.length; i++) {
                resized[i] = resized[i] * 2 - 1;
            }
        } else if (normalisation.startsWith("zscore:")) {
            String[] parts = normalisation.substring(7).split(",");
            double mean;
            double std;
            try {
                mean = Double.parseDouble(parts[0].strip());
                std = Double.parseDouble(parts[1].strip());
            } catch (RuntimeException e) {
                return new Abstain("normalisation " + spec.normalisation() + " is not zscore:<mean>,<std>");
            }
            if (std <= 0) {
                return new Abstain("normalisation " + spec.normalisation() + " has a standard deviation <= 0");
            }
            for (int i = 0; i < resized.length; i++) {
                resized[i] = (float) ((resized[i] - mean) / std);
            }
        } else {
            return new Abstain("unknown normalisation " + spec.normalisation() + " (unit, symmetric, zscore:<mean>,<std>)");
        }
        return new Tensor(resized, spec.width(), spec.height(), center, width, selected);
    }

    /** Bilinear, pixel centres aligned (a pixel's centre maps to the same relative place), edges clamped. */
    static float[] resize(float[] source, int sourceWidth, int sourceHeight, int width, int height) {
        if (sourceWidth == width && sourceHeight == height) {
            return source.clone();
        }
        float[] out = new float[width * height];
        double sx = (double) sourceWidth / width;
        double sy = (double) sourceHeight / height;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, Math.min(sourceHeight - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) Math.floor(fy);
            int y1 = Math.min(sourceHeight - 1, y0 + 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++) {
                double fx = Math.max(0, Math.min(sourceWidth - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) Math.floor(fx);
                int x1 = Math.min(sourceWidth - 1, x0 + 1);
                double wx = fx - x0;
                double top = source[y0 * sourceWidth + x0] * (1 - wx) + source[y0 * sourceWidth + x1] * wx;
                double bottom = source[y1 * sourceWidth + x0] * (1 - wx) + source[y1 * sourceWidth + x1] * wx;
                out[y * width + x] = (float) (top * (1 - wy) + bottom * wy);
            }
        }
        return out;
    }

    private static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static int integer(AttributeList list, AttributeTag tag, int otherwise) {
        return Attribute.getSingleIntegerValueOrDefault(list, tag, otherwise);
    }

    private static double decimal(AttributeList list, AttributeTag tag, double otherwise) {
        String value = string(list, tag);
        if (value.isEmpty()) {
            return otherwise;
        }
        try {
            return Double.parseDouble(value.split("\\\\")[0].strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
