package io.carebus.api.model;

import java.nio.file.Path;

/**
 * Turns a stored image (a DICOM instance) into an imaging model's input tensor as the model card's image spec says.
 * Offered as a service by the DICOM bundle, so model serving needs no DICOM code of its own.
 */
public interface ImageConverter {

    /**
     * The tensor (row-major, {@code spec.height() × spec.width()}) for the image in {@code file}.
     *
     * @throws ImageAbstainedException when the image cannot become a faithful tensor (unsupported compression,
     *         photometric interpretation, unreadable file): the model abstains rather than see a wrong image
     */
    float[] tensor(Path file, ModelCard.ImageInput spec) throws ImageAbstainedException;
}
