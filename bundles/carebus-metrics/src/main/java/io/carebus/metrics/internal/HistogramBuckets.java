package io.carebus.metrics.internal;

import java.time.Duration;
import java.util.Arrays;

/** Bucket bounds from configuration: "1, 2.5, 5" (a .cfg line) or an array of them, in milliseconds. */
final class HistogramBuckets {

    private HistogramBuckets() {
    }

    static Duration[] parse(String[] values) {
        return Arrays.stream(values)
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::strip).filter(v -> !v.isEmpty())
                .mapToDouble(Double::parseDouble)
                .filter(ms -> ms > 0)
                .sorted().distinct()
                .mapToObj(ms -> Duration.ofNanos(Math.round(ms * 1_000_000)))
                .toArray(Duration[]::new);
    }
}
