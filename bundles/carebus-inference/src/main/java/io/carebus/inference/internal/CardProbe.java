package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.carebus.api.Sha256;
import io.carebus.api.model.ModelId;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.check.ModelCheckException;
import io.carebus.inference.check.ModelProbe;
import io.carebus.inference.check.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A card's model opened the way the engine opens it (the same session checks, feature order and defaults, output
 * reading), before the card is finished: the self-test vectors are what it is used to compute.
 */
public final class CardProbe implements ModelProbe {

    private final OrtModel model;
    private final byte[] cardBytes;

    private CardProbe(OrtModel model, byte[] cardBytes) {
        this.model = model;
        this.cardBytes = cardBytes;
    }

    /** @throws ModelCheckException with the problems (other than the self-tests') when the card or model is not ready */
    public static CardProbe open(byte[] cardYaml, Map<String, byte[]> files) throws ModelCheckException {
        CardReader reader = new CardReader();
        CardDocument card;
        try {
            card = reader.parse(cardYaml);
        } catch (InvalidCardException e) {
            throw new ModelCheckException(e.problems());
        }
        List<Problem> problems = new ArrayList<>(CardReader.problems(card));
        problems.removeIf(p -> p.field() != null && p.field().startsWith("/selfTests"));
        byte[] model = null;
        if (problems.isEmpty()) {
            for (int i = 0; i < card.files().size(); i++) {
                CardDocument.ModelFile f = card.files().get(i);
                byte[] bytes = files.get(f.path());
                if (bytes == null) {
                    problems.add(Problem.at("/files/" + i + "/path", "the card lists " + f.path() + ", which the bundle does not hold"));
                } else if ("model".equals(CardReader.role(f))) {
                    model = bytes;
                }
            }
        }
        if (!problems.isEmpty() || model == null) {
            throw new ModelCheckException(CardLines.of(cardYaml).locate(problems));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            OrtModel opened = OrtModel.open(env, new ModelId(card.id(), card.version(), new Sha256(ModelBundleInspector.sha256(model))),
                    card, model, options).withFiles(files);
            return new CardProbe(opened, cardYaml);
        } catch (ModelRefusedException e) {
            throw new ModelCheckException(CardLines.of(cardYaml).locate(e.problems()));
        } catch (OrtException e) {
            throw new ModelCheckException(List.of(Problem.of("ONNX Runtime: " + e.getMessage())));
        }
    }

    @Override
    public List<String> features() {
        CardDocument card = model.card();
        return card.inputs().tabular() == null ? List.of() : card.inputs().tabular().stream().map(CardDocument.TabularFeature::name).toList();
    }

    @Override
    public boolean isImage() {
        return model.card().inputs().image() != null;
    }

    /** The card's outputs by label for one row of features (missing ones take the card's defaults), as the engine computes them. */
    @Override
    public Map<String, Double> run(Map<String, Double> features) throws InsufficientDataException, OrtException {
        return model.run(new float[][] {FeatureVector.build(model.card(), features)}).get(0);
    }

    /** An imaging model's outputs for a preprocessed image filled with {@code value} (what image self-tests give). */
    @Override
    public Map<String, Double> runConstantImage(double value) throws OrtException {
        float[] image = new float[model.features()];
        Arrays.fill(image, (float) value);
        return model.run(new float[][] {image}).get(0);
    }

    /** The card's self-tests (and head graph check) as the extender runs them: empty when they pass. */
    @Override
    public List<Problem> selfTestProblems() {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                model.openHead(env, options);
            }
            SelfTests.run(model);
            return List.of();
        } catch (ModelRefusedException e) {
            return CardLines.of(cardBytes).locate(e.problems());
        }
    }

    @Override
    public void close() {
        model.release();
    }
}
