package io.carebus.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HistogramBucketsTest {

    @Test
    void readsACfgLineOrAnArrayInMillisecondsSortedWithoutDuplicates() {
        assertThat(HistogramBuckets.parse(new String[] {"100, 2.5, 5", "5", " 0 ", ""}))
                .containsExactly(Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(100));
    }

    @Test
    void readsTheModelOfAnInferenceEndpoint() {
        assertThat(EndpointParameters.value("carebus://infer?lookback=PT6H&model=sepsis-risk", "model")).isEqualTo("sepsis-risk");
        assertThat(EndpointParameters.value("carebus://infer", "model")).isEqualTo("none");
        assertThat(EndpointParameters.value("carebus://infer?modelx=a", "model")).isEqualTo("none");
    }
}
