package io.carebus.context.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carebus.bench.e2e.Feature;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Issue 21's context-lookup target: the time to read a patient's timeline for a score stays flat (within 20%) when
 * each patient's history grows 10x. Two real embedded H2 stores (the engine's schema, migrated by carebus-store, pooled as the engine pools them) are
 * filled with the same patients, one with {@code --hours} of history each, the other with ten times as much (vitals
 * every 5 minutes, labs every hour, as the e2e feed sends). Then, in alternating rounds, the latest moment of random
 * patients is looked up in each: as {@code carebus:context} does it for a route with {@code model=sepsis-risk}
 * (only what the card reads: {@link CardReads} from the built card) and, for comparison, the whole 2-day lookback
 * that a route without a model gets. The lookup includes building the FHIR timeline Bundle the model step reads.
 *
 * <p>Run: {@code bench/e2e/context-lookup.sh} (after {@code ./mvnw -pl bench/e2e -am install}).
 * Lives in the context bundle's package because the timeline store is that bundle's internal class.
 */
public final class ContextLookupBench {

    /** carebus:context's default lookback (ContextStep.DEFAULT_LOOKBACK; that class needs Camel, which this bench does not load). */
    private static final Duration LOOKBACK = Duration.ofDays(2);

    private ContextLookupBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int patients = Integer.parseInt(o.getOrDefault("patients", "20"));
        int hours = Integer.parseInt(o.getOrDefault("hours", "24"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "6"));
        int lookups = Integer.parseInt(o.getOrDefault("lookups", "2000"));
        Path card = Path.of(o.getOrDefault("card", "models/sepsis-risk/target/classes/model-card.yaml"));
        CardReads reads = reads(card);
        Path dir = Files.createTempDirectory("carebus-context-bench");
        Instant now = Instant.parse("2026-12-01T12:00:00Z");

        System.out.printf("context lookup: %d patients, history %d h vs %d h (vitals every 5 min, labs hourly); card %s reads %s%n",
                patients, hours, hours * 10, card, reads);
        DataSource small = StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("small")), "", "", 2);
        DataSource large = StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("large")), "", "", 2);
        long rowsSmall = fill(new TimelineStore(small), patients, hours, now);
        long rowsLarge = fill(new TimelineStore(large), patients, hours * 10, now);
        System.out.printf("stored: %,d observation rows (1x), %,d (10x)%n", rowsSmall, rowsLarge);

        Map<String, List<Double>> medians = new LinkedHashMap<>();
        Random random = new Random(20261205);
        for (int round = 0; round < rounds + 1; round++) {
            for (String store : List.of("1x", "10x")) {
                TimelineStore timelines = new TimelineStore(store.equals("1x") ? small : large);
                for (boolean byCard : List.of(true, false)) {
                    double[] micros = new double[lookups];
                    for (int i = 0; i < lookups; i++) {
                        String subject = "bench-" + random.nextInt(patients);
                        long t0 = System.nanoTime();
                        TimelineStore.Timeline timeline = byCard
                                ? timelines.timeline(subject, reads, now.minus(LOOKBACK), now, 2000)
                                : timelines.timeline(subject, now.minus(LOOKBACK), now, 2000);
                        String json = TimelineBundle.json(timeline, now);
                        micros[i] = (System.nanoTime() - t0) / 1e3;
                        if (json.length() < 10) {
                            throw new IllegalStateException("empty timeline for " + subject);
                        }
                    }
                    if (round > 0) { // round 0 warms the JIT and the caches
                        Arrays.sort(micros);
                        medians.computeIfAbsent(store + (byCard ? " card" : " lookback"), k -> new ArrayList<>()).add(micros[lookups / 2]);
                    }
                }
            }
        }
        for (Map.Entry<String, List<Double>> e : medians.entrySet()) {
            System.out.printf("%-13s median of round medians %8.1f us  (rounds: %s)%n", e.getKey(), median(e.getValue()),
                    e.getValue().stream().map(v -> String.format("%.0f", v)).toList());
        }
        double card1 = median(medians.get("1x card"));
        double card10 = median(medians.get("10x card"));
        double look1 = median(medians.get("1x lookback"));
        double look10 = median(medians.get("10x lookback"));
        System.out.printf("RESULT context-lookup card 10x/1x = %.2f (target <= 1.20); whole 2-day lookback 10x/1x = %.2f%n",
                card10 / card1, look10 / look1);
        StoreDatabases.close(small);
        StoreDatabases.close(large);
    }

    /** Vitals every 5 minutes and labs every hour for {@code hours} before {@code now}; returns the rows written. */
    private static long fill(TimelineStore store, int patients, int hours, Instant now) throws Exception {
        long rows = 0;
        Random random = new Random(7);
        for (int p = 0; p < patients; p++) {
            String subject = "bench-" + p;
            store.record(new ClinicalMessage(subject, Optional.of(new ClinicalMessage.Demographics("1956-03-14", "female")),
                    List.of(), List.of(), List.of()), now);
            // One message per patient-hour (a monitor's hourly batch and the hour's labs): filling is not what is measured.
            List<ClinicalMessage.ObservationFact> facts = new ArrayList<>();
            for (int minute = hours * 60; minute >= 0; minute -= 5) {
                Instant at = now.minus(Duration.ofMinutes(minute));
                for (Feature f : Feature.values()) {
                    if (f.source() == Feature.Source.VITALS || minute % 60 == 0) {
                        double value = f.min() + random.nextDouble() * (f.max() - f.min()) / 3;
                        facts.add(new ClinicalMessage.ObservationFact("urn:bench|" + subject + "-" + f.loinc() + "-" + minute, "final", at,
                                List.of(new ClinicalMessage.CodedValue(Feature.LOINC + "|" + f.loinc(), value, f.ucum()))));
                    }
                }
                if (minute % 60 == 0) {
                    rows += facts.size();
                    store.record(new ClinicalMessage(subject, Optional.empty(), facts, List.of(), List.of()), now);
                    facts = new ArrayList<>();
                }
            }
        }
        return rows;
    }

    /** What the built card reads, as {@code carebus:context} derives it (windowed codes, latest-only codes). */
    static CardReads reads(Path card) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(card.toFile());
        Map<String, Duration> windows = new LinkedHashMap<>();
        Set<String> latest = new LinkedHashSet<>();
        for (JsonNode input : root.path("inputs").path("tabular")) {
            String code = input.path("code").asText();
            if (input.hasNonNull("window")) {
                windows.merge(code, Duration.parse(input.path("window").asText()), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            } else {
                latest.add(code);
            }
        }
        latest.removeAll(windows.keySet());
        return new CardReads(Map.copyOf(windows), Set.copyOf(latest));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--") && a.contains("=")) {
                o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            }
        }
        return o;
    }
}
