package io.carebus.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.SharedValidation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DICOM headers to ImagingStudy: the study as one resource that the R4 validator accepts. */
class ImagingStudiesTest {

    @TempDir
    Path dir;

    @Test
    void aSeriesBecomesOneValidImagingStudy() throws Exception {
        List<Path> files = TestImages.ctSeries(dir, 3, 8);
        List<ImagingStudies.Header> headers = new ArrayList<>();
        long id = 1;
        for (Path f : files) {
            com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
            list.read(f.toFile());
            String uid = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, com.pixelmed.dicom.TagFromName.SOPInstanceUID);
            String study = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
            String series = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, com.pixelmed.dicom.TagFromName.SeriesInstanceUID);
            headers.add(ImagingStudies.header(new DicomInstance(id++, study, series, uid, TestImages.CT, TestImages.EXPLICIT_LE, "CT", f,
                    Files.size(f), "00", "MODALITY", Instant.now())));
        }
        ImagingStudy study = ImagingStudies.of(headers);
        assertThat(study.getIdentifierFirstRep().getSystem()).isEqualTo("urn:dicom:uid");
        assertThat(study.getIdentifierFirstRep().getValue()).isEqualTo("urn:oid:" + headers.get(0).instance().studyInstanceUid());
        assertThat(study.getNumberOfSeries()).isEqualTo(1);
        assertThat(study.getNumberOfInstances()).isEqualTo(3);
        assertThat(study.getSeriesFirstRep().getModality().getCode()).isEqualTo("CT");
        assertThat(study.getSeriesFirstRep().getBodySite().getCode()).isEqualTo("51185008");
        assertThat(study.getSubject().getIdentifier().getValue()).isEqualTo("PAT-0001");
        assertThat(study.getModalityFirstRep().getSystem()).isEqualTo(ImagingStudies.DCM);
        assertThat(study.getSeriesFirstRep().getInstance()).extracting(i -> i.getSopClass().getCode())
                .containsOnly("urn:oid:" + TestImages.CT);
        assertThat(SharedValidation.get().errors(study)).isEmpty();
    }

    /** Study Date/Time to {@code started}: no invented midnight, the header's own offset, the site's zone otherwise. */
    @Test
    void startedKeepsTheHeadersPrecisionAndZone() {
        java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
        org.hl7.fhir.r4.model.DateTimeType dateOnly = ImagingStudies.started("20260101", "", "", berlin);
        assertThat(dateOnly.getValueAsString()).isEqualTo("2026-01-01");
        assertThat(dateOnly.getPrecision()).isEqualTo(ca.uhn.fhir.model.api.TemporalPrecisionEnum.DAY);
        assertThat(ImagingStudies.started("20260101", "1020", "", berlin).getValueAsString()).isEqualTo("2026-01-01T10:20:00+01:00");
        assertThat(ImagingStudies.started("20260701", "102030.123456", "", berlin).getValueAsString())
                .isEqualTo("2026-07-01T10:20:30+02:00");
        assertThat(ImagingStudies.started("20260701", "07", "-0530", berlin).getValueAsString()).isEqualTo("2026-07-01T07:00:00-05:30");
        // ACR-NEMA forms still found in old archives
        assertThat(ImagingStudies.started("2026.01.01", "10:20:30", "+0000", berlin).getValueAsString()).isEqualTo("2026-01-01T10:20:30Z");
        // a time that is not one keeps the date; a date that is not one gives nothing
        assertThat(ImagingStudies.started("20260101", "2561", "", berlin).getValueAsString()).isEqualTo("2026-01-01");
        assertThat(ImagingStudies.started("20261301", "1020", "", berlin)).isNull();
        assertThat(ImagingStudies.started("", "1020", "", berlin)).isNull();
    }
}
