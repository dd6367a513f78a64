package io.carebus.dicom.internal;

import io.carebus.api.model.ImageAbstainedException;
import io.carebus.api.model.ImageConverter;
import io.carebus.api.model.ModelCard;
import io.carebus.dicom.ImageTensors;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/** {@link ImageTensors} offered to model serving: a DICOM instance becomes the tensor its model card asks for. */
@Component(service = ImageConverter.class)
public class DicomImageConverter implements ImageConverter {

    @Override
    public float[] tensor(Path file, ModelCard.ImageInput spec) throws ImageAbstainedException {
        ImageTensors.Result result;
        try {
            result = ImageTensors.convert(file, spec);
        } catch (RuntimeException e) {
            // A pixel decoder failing on an odd image must not fail the instance's route: the model abstains.
            throw new ImageAbstainedException("the image could not be converted (" + e.getClass().getSimpleName() + ")");
        }
        if (result instanceof ImageTensors.Tensor tensor) {
            return tensor.data();
        }
        throw new ImageAbstainedException(((ImageTensors.Abstain) result).reason());
    }
}
