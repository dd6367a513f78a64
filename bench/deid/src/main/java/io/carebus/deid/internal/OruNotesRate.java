package io.carebus.deid.internal;

import io.carebus.deid.PseudonymDomain;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * ORU^R01 with two 2 KB notes, messages/s on one core through DeidService's plain constructor (the Safe Harbor
 * profile, vault on H2): compiled against any carebus-deid, so free-text.sh runs it on main at 4bc60f7 (before) and on
 * this tree (after) on the same machine, one after the other. Uses only API that 4bc60f7 already had.
 */
public final class OruNotesRate {

    private OruNotesRate() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "10");
        String label = args.length > 1 ? args[1] : "this tree";
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("carebus-oru-notes");
        DeidService deid = new DeidService(new PseudonymDomain("k1", secret, 365),
                new Vault(StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 2), "k1",
                        Map.of("k1", secret), Clock.systemUTC()), Set.of(), dir);
        Random random = new Random(7);
        String[] messages = new String[50];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = BenchNotes.oru(i, BenchNotes.note(random, 2048), BenchNotes.note(random, 2048));
        }
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) {
            deid.deidentifyHl7(messages[i % messages.length], "safe-harbor", "bench");
        }
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        int n = 0;
        while (System.nanoTime() < end) {
            deid.deidentifyHl7(messages[n++ % messages.length], "safe-harbor", "bench");
        }
        String sample = deid.deidentifyHl7(messages[0], "safe-harbor", "bench").message();
        System.out.printf("%-32s %8.0f msg/s   (phone 319-555-0190 left in the output: %s)%n", label, n / ((System.nanoTime() - start) / 1e9),
                sample.contains("555-0190"));
    }
}
