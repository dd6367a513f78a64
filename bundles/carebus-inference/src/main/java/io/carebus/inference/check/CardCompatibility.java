package io.carebus.inference.check;

import io.carebus.inference.internal.CardCompatibilityCheck;
import java.util.List;

/**
 * Versioning rule for model cards: a new version of a model id keeps its inputs (features by name with their code,
 * unit, window and aggregate, defaults, or the image specification) and its outputs (labels with their type, FHIR
 * resource and code) compatible, and has a later version; otherwise it must take a new model id.
 */
public final class CardCompatibility {

    private CardCompatibility() {
    }

    /**
     * Each breaking change from {@code previousCard} to {@code card} (YAML bytes), with the line in the new card;
     * empty when compatible or when the ids differ (a different model).
     */
    public static List<Problem> breakingChanges(byte[] previousCard, byte[] card) throws ModelCheckException {
        return CardCompatibilityCheck.breakingChanges(previousCard, card);
    }
}
