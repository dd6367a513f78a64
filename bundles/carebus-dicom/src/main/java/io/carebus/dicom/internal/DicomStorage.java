package io.carebus.dicom.internal;

import java.nio.file.Path;

/** Where the gateway keeps instances: the configured folder or {@code <karaf.data>/carebus/dicom}. */
final class DicomStorage {

    private DicomStorage() {
    }

    static Path root(String configured) {
        return configured == null || configured.isBlank()
                ? Path.of(System.getProperty("karaf.data", "data"), "carebus", "dicom").toAbsolutePath()
                : Path.of(configured.strip()).toAbsolutePath();
    }
}
