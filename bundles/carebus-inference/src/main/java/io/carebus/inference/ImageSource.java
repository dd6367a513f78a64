package io.carebus.inference;

import io.carebus.api.model.ImageAbstainedException;
import io.carebus.api.model.ModelCard;

/**
 * An image not yet preprocessed: the registry asks for the tensor with the image spec of the version it chose, so a
 * swap between choosing and running cannot pair one version's preprocessing with another version's model.
 */
@FunctionalInterface
public interface ImageSource {

    float[] pixels(ModelCard.ImageInput spec) throws ImageAbstainedException;
}
