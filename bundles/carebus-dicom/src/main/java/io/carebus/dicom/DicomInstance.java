package io.carebus.dicom;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One DICOM instance the gateway keeps: the stored message it arrived as, its place in the study, and its file
 * (Part 10, exactly the bytes received after the file meta information CareBus wrote). No patient data here.
 */
public record DicomInstance(long messageId, String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                            String sopClassUid, String transferSyntaxUid, String modality, Path file, long size, String sha256,
                            String callingAe, Instant receivedAt) {
}
