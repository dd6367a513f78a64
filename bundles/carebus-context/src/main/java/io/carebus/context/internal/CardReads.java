package io.carebus.context.internal;

import io.carebus.api.model.ModelCard;
import io.carebus.inference.ModelLease;
import io.carebus.inference.ModelRegistry;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a model's card reads from a patient's timeline: each windowed input's code and window, and the codes of which
 * only the latest value counts (no window, aggregate {@code last}: age, sex). The timeline for a score is then a few
 * bounded index ranges, however long the patient's history: a patient with a month of minute-by-minute vitals costs
 * what one with a day does.
 *
 * @param windows    code ({@code system|code}) to the longest window any input reads it over
 * @param latestOnly codes of which only the latest value (within the route's lookback) is read
 */
record CardReads(Map<String, Duration> windows, Set<String> latestOnly) {

    /**
     * The reads of the serving version's card, or empty when there is no card to go by (no inference bundle, an
     * unknown model) or an input needs all of the lookback (no window and an aggregate other than last): then the
     * whole lookback is read, as without a model.
     */
    static Optional<CardReads> of(ModelRegistry registry, String model) {
        if (registry == null || model == null || model.isBlank()) {
            return Optional.empty();
        }
        ModelCard card;
        try (ModelLease lease = registry.lease(model.strip(), null)) {
            card = lease.card();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return of(card);
    }

    static Optional<CardReads> of(ModelCard card) {
        Map<String, Duration> windows = new LinkedHashMap<>();
        Set<String> latestOnly = new LinkedHashSet<>();
        for (ModelCard.TabularInput input : card.tabularInputs()) {
            String aggregate = input.aggregate() == null ? "last" : input.aggregate();
            if (input.window() == null || input.window().isBlank()) {
                if (!aggregate.equals("last")) {
                    return Optional.empty();
                }
                latestOnly.add(input.code());
                continue;
            }
            Duration window;
            try {
                window = Duration.parse(input.window().strip());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
            windows.merge(input.code(), window, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        latestOnly.removeAll(windows.keySet());
        return windows.isEmpty() && latestOnly.isEmpty() ? Optional.empty() : Optional.of(new CardReads(Map.copyOf(windows), Set.copyOf(latestOnly)));
    }
}
