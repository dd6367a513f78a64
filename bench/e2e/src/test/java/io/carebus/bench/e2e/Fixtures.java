package io.carebus.bench.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A tiny hand-written patient (no Synthea run in tests) and a fixed stream spec. */
final class Fixtures {

    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");

    private Fixtures() {
    }

    static DemoPatient patient() throws Exception {
        List<DemoPatient> loaded = SyntheaPatients.load(Path.of(Fixtures.class.getResource("/synthea").toURI()), "MRN-T");
        return loaded.get(0);
    }

    static StreamGenerator.Spec spec(long seed) {
        return new StreamGenerator.Spec(seed, 36, Duration.ofMinutes(5), 12, 0.3, START);
    }
}
