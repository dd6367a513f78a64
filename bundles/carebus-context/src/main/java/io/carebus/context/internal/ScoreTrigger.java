package io.carebus.context.internal;

import io.carebus.api.model.ModelCard;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.util.Set;

/**
 * Whether the codes a message changed are ones a model reads. The card of the version that serves decides: its
 * tabular inputs' codes ({@code system|code}, as {@code carebus:context} reports changes).
 */
final class ScoreTrigger {

    private ScoreTrigger() {
    }

    /**
     * True when a changed code is one of the model's inputs. Without the inference bundle, or for a model that is not
     * there, any change triggers: the route's {@code carebus:infer} then fails loudly with the reason, and the message
     * can be reprocessed, rather than the score being skipped in silence.
     */
    static boolean usesAny(ModelRegistry registry, String model, Set<String> changed) {
        if (changed.isEmpty()) {
            return false;
        }
        if (registry == null) {
            return true;
        }
        ModelCard card;
        try (ModelLease lease = registry.lease(model, null)) {
            card = lease.card();
        } catch (RuntimeException e) {
            return true;
        }
        return card.tabularInputs().stream().map(ModelCard.TabularInput::code).anyMatch(changed::contains);
    }
}
