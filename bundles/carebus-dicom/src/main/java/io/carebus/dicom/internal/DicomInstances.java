package io.carebus.dicom.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Small reads of Part 10 bytes. */
final class DicomInstances {

    private DicomInstances() {
    }

    /** The SOP Instance UID a Part 10 file's meta information names. */
    static String sopInstanceOf(byte[] part10) throws IOException {
        AttributeList meta = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            meta.read(in, TagFromName.PixelData);
        } catch (DicomException e) {
            throw new IOException(e.getMessage(), e);
        }
        String uid = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPInstanceUID).strip();
        if (uid.isEmpty()) {
            throw new IOException("no Media Storage SOP Instance UID");
        }
        return uid;
    }
}
