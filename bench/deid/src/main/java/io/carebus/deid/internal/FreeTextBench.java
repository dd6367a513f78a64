package io.carebus.deid.internal;

import io.carebus.deid.FreeTextDetector;
import io.carebus.deid.PseudonymDomain;
import io.carebus.dicom.DicomDeidentifier;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The cost of free-text detection (issue 22): HL7v2 ORU^R01 messages with two 2 KB notes each through the Safe Harbor
 * profile (vault on H2), messages/s on one core with the detector off (free text only scrubbed of known values, what
 * main did at 4bc60f7) and on, in the same run; then the detector alone on 1 MB and 10 MB of digits, of note text, and
 * on a 100,000-character line, to show the time grows linearly with the input.
 */
public final class FreeTextBench {

    private FreeTextBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "10");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("carebus-freetext-bench");
        PseudonymDomain domain = new PseudonymDomain("k1", secret, 365);
        Vault vault = new Vault(StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 2), "k1",
                Map.of("k1", secret), Clock.systemUTC());
        FreeTextDetector.Options on = FreeTextDetector.Options.defaults();
        FreeTextDetector.Options off = new FreeTextDetector.Options(false, FreeTextDetector.Replacement.TAGS, on.maxChars());
        DeidService before = new DeidService(domain, vault, Set.of(), dir, DicomDeidentifier.Options.defaults(), off);
        DeidService after = new DeidService(domain, vault, Set.of(), dir, DicomDeidentifier.Options.defaults(), on);
        String[] messages = new String[50];
        Random random = new Random(7);
        for (int i = 0; i < messages.length; i++) {
            messages[i] = BenchNotes.oru(i, BenchNotes.note(random, 2048), BenchNotes.note(random, 2048));
        }
        String sample = after.deidentifyHl7(messages[0], "safe-harbor", "bench").message();
        if (sample.contains("Emiko") || sample.contains("555-0190")) {
            throw new IllegalStateException("the detector is not on");
        }
        // off and on alternate in half-second slices, so load from elsewhere on the machine hits both alike
        double[] rates = interleaved(seconds, i -> hl7(before, messages[i % messages.length]), i -> hl7(after, messages[i % messages.length]));
        double beforeRate = rates[0];
        double afterRate = rates[1];
        System.out.printf("one core, Safe Harbor profile, vault on H2, ORU^R01 with two 2 KB notes (%d bytes per message)%n",
                messages[0].length());
        System.out.printf("free-text detection off (known values only, as main at 4bc60f7): %8.0f msg/s   (alternating half-second slices)%n", beforeRate);
        System.out.printf("free-text detection on:                                         %8.0f msg/s%n", afterRate);
        System.out.printf("cost: %.2fx the time per message (%.0f%% fewer messages/s)%n", beforeRate / afterRate,
                100 * (1 - afterRate / beforeRate));

        FreeTextDetector unlimited = new FreeTextDetector(domain, new FreeTextDetector.Options(true, FreeTextDetector.Replacement.TAGS,
                Integer.MAX_VALUE));
        FreeTextDetector.Subject subject = new FreeTextDetector.Subject(new io.carebus.api.deid.PatientIdentifier("urn:bench", "1"), 17,
                Set.of("whitfield"));
        System.out.println("linear time: the detector alone, no cap (best of 3 runs)");
        for (String kind : List.of("digits", "note text")) {
            double oneMb = time(unlimited, subject, input(kind, 1 << 20, random));
            double tenMb = time(unlimited, subject, input(kind, 10 << 20, random));
            System.out.printf("  %-9s  1 MB %7.1f ms   10 MB %7.1f ms   ratio %.1f (linear: 10)%n", kind, oneMb, tenMb, tenMb / oneMb);
        }
        String line = "word " .repeat(20_000);
        System.out.printf("  one 100,000-character line: %.1f ms; 10 such lines: %.1f ms%n", time(unlimited, subject, line),
                time(unlimited, subject, (line + "\n").repeat(10)));
        for (String unit : List.of("Dr. Kwame Osei and ", "1-2-", "a@b.", "(319) ", "Whitfield ", "22 Old Mill Road, ", "x.y.z/")) {
            String one = unit.repeat(100_000 / unit.length());
            System.out.printf("  adversarial line %-22s 100k chars %6.1f ms   1M chars %7.1f ms%n", "\"" + unit + "\"",
                    time(unlimited, subject, one), time(unlimited, subject, unit.repeat(1_000_000 / unit.length())));
        }
        FreeTextDetector capped = new FreeTextDetector(domain, FreeTextDetector.Options.defaults());
        System.out.printf("  with the default cap (%d characters examined per field), 10 MB of digits: %.1f ms%n", on.maxChars(),
                time(capped, subject, input("digits", 10 << 20, random)));
    }

    private static void hl7(DeidService deid, String message) {
        try {
            deid.deidentifyHl7(message, "safe-harbor", "bench");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String input(String kind, int size, Random random) {
        StringBuilder s = new StringBuilder(size + 4096);
        if (kind.equals("digits")) {
            while (s.length() < size) {
                s.append((char) ('0' + random.nextInt(10)));
            }
        } else {
            while (s.length() < size) {
                s.append(BenchNotes.note(random, 2048)).append('\n');
            }
        }
        s.setLength(size);
        return s.toString();
    }

    private static double time(FreeTextDetector detector, FreeTextDetector.Subject subject, String text) {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            long start = System.nanoTime();
            String out = detector.redact(text, subject);
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
            if (out.isEmpty()) {
                throw new IllegalStateException();
            }
        }
        return best;
    }

    /** Messages/s of a and of b, measured in alternating half-second slices over 2 x seconds (after 3 s warm-up each). */
    private static double[] interleaved(int seconds, IntConsumer a, IntConsumer b) {
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) {
            a.accept(i);
            b.accept(i);
        }
        long[] count = new long[2];
        long[] nanos = new long[2];
        IntConsumer[] work = {a, b};
        for (int slice = 0; slice < seconds * 4; slice++) {
            int which = slice % 2;
            long start = System.nanoTime();
            long end = start + 500_000_000L;
            int n = 0;
            while (System.nanoTime() < end) {
                work[which].accept(n++);
            }
            count[which] += n;
            nanos[which] += System.nanoTime() - start;
        }
        return new double[] {count[0] / (nanos[0] / 1e9), count[1] / (nanos[1] / 1e9)};
    }
}
