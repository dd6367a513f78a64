/**
 * The DICOM gateway's API: the instances it keeps ({@link io.carebus.dicom.DicomArchive}), C-STORE forwarding
 * ({@link io.carebus.dicom.DicomForwarding}), image to model tensor ({@link io.carebus.dicom.ImageTensors}) and
 * DICOM to FHIR ImagingStudy ({@link io.carebus.dicom.ImagingStudies}). PixelMed stays behind this API, so another
 * DICOM library can replace it.
 */
package io.carebus.dicom;
