package io.carebus.dicom.internal;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The storage SOP classes and transfer syntaxes served out of the box (PS3.4 Annex B.5, PS3.5 Annex A). */
final class DicomDefaults {

    static final String SOP_CLASSES = "1.2.840.10008.5.1.4.1.1.2," // CT Image
            + "1.2.840.10008.5.1.4.1.1.2.1," // Enhanced CT Image
            + "1.2.840.10008.5.1.4.1.1.4," // MR Image
            + "1.2.840.10008.5.1.4.1.1.4.1," // Enhanced MR Image
            + "1.2.840.10008.5.1.4.1.1.1," // Computed Radiography Image
            + "1.2.840.10008.5.1.4.1.1.1.1," // Digital X-Ray Image - For Presentation
            + "1.2.840.10008.5.1.4.1.1.1.1.1," // Digital X-Ray Image - For Processing
            + "1.2.840.10008.5.1.4.1.1.1.2," // Digital Mammography X-Ray Image - For Presentation
            + "1.2.840.10008.5.1.4.1.1.1.2.1," // Digital Mammography X-Ray Image - For Processing
            + "1.2.840.10008.5.1.4.1.1.6.1," // Ultrasound Image
            + "1.2.840.10008.5.1.4.1.1.3.1," // Ultrasound Multi-frame Image
            + "1.2.840.10008.5.1.4.1.1.7"; // Secondary Capture Image

    static final String TRANSFER_SYNTAXES = "1.2.840.10008.1.2.1," // Explicit VR Little Endian
            + "1.2.840.10008.1.2," // Implicit VR Little Endian
            + "1.2.840.10008.1.2.4.50," // JPEG Baseline (Process 1)
            + "1.2.840.10008.1.2.4.70," // JPEG Lossless, First-Order Prediction (Process 14 SV1)
            + "1.2.840.10008.1.2.4.57," // JPEG Lossless (Process 14)
            // Other encapsulated syntaxes, kept as received like JPEG: a store-and-forward gateway that refused them
            // would make the sender decompress (dcmtk only does so for lossless data) or fail the instance. The
            // image-to-tensor step abstains on them with the reason; forwarding proposes them as they are.
            + "1.2.840.10008.1.2.4.51," // JPEG Extended (Process 2 & 4)
            + "1.2.840.10008.1.2.4.80," // JPEG-LS Lossless
            + "1.2.840.10008.1.2.4.81," // JPEG-LS Near-Lossless
            + "1.2.840.10008.1.2.4.90," // JPEG 2000 Image Compression (Lossless Only)
            + "1.2.840.10008.1.2.4.91," // JPEG 2000 Image Compression
            + "1.2.840.10008.1.2.5"; // RLE Lossless

    private DicomDefaults() {
    }

    static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static Set<String> set(String commaSeparated) {
        return new LinkedHashSet<>(list(commaSeparated));
    }
}
