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
        ImageTensors.Result result = ImageTensors.convert(file, spec);
        if (result instanceof ImageTensors.Tensor tensor) {
            return tensor.data();
        }
        throw new ImageAbstainedException(((ImageTensors.Abstain) result).reason());
    }
}
