package io.carebus.dicom;

import java.util.List;
import java.util.Optional;

/** The instances the gateway keeps, by stored message or by study. */
public interface DicomArchive {

    Optional<DicomInstance> instance(long messageId);

    /** The study's instances, by series then arrival. */
    List<DicomInstance> study(String studyInstanceUid);
}
