package io.carebus.deid.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.FreeTextDetector;
import io.carebus.deid.PseudonymDomain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Scores the free-text detector on the synthetic corpus, per PHI span: a span is detected only when every one of its
 * characters lies inside something the detector replaces; a finding is a true positive when it overlaps a PHI span.
 * The detector gets what a de-identifier has at hand: the patient (for the date shift) and the patient's name as the
 * structured fields give it. Nothing else (no other known value) helps it.
 */
public final class CorpusEvaluation {

    public static final String RESOURCE = "/deid-corpus/notes.jsonl.gz";

    /** Counts per category: spans, spans detected; and findings, findings that overlap PHI. */
    public static final class Score {
        public final Map<String, int[]> perCategory = new TreeMap<>();
        public int findings;
        public int truePositives;
        public int notes;

        public int spans() {
            return perCategory.values().stream().mapToInt(c -> c[0]).sum();
        }

        public int detected() {
            return perCategory.values().stream().mapToInt(c -> c[1]).sum();
        }

        public double recall() {
            return detected() / (double) spans();
        }

        public double recall(String category) {
            int[] c = perCategory.get(category);
            return c[1] / (double) c[0];
        }

        public double precision() {
            return truePositives / (double) findings;
        }

        public String table(String title) {
            StringBuilder out = new StringBuilder(String.format("%s: %d notes, %d PHI spans, %d findings%n", title, notes, spans(), findings));
            out.append(String.format("  %-8s %6s %8s %8s%n", "category", "spans", "detected", "recall"));
            perCategory.forEach((k, c) -> out.append(String.format("  %-8s %6d %8d %7.2f%%%n", k, c[0], c[1], 100.0 * c[1] / c[0])));
            out.append(String.format("  overall recall %.2f%% (%d/%d), precision %.2f%% (%d/%d)%n", 100 * recall(), detected(), spans(),
                    100 * precision(), truePositives, findings));
            return out.toString();
        }
    }

    /** A PHI span the detector left (partly) in place, or a finding on no PHI. */
    public record Miss(int note, String category, String value, String context) {
    }

    private CorpusEvaluation() {
    }

    public static List<JsonNode> load() throws IOException {
        List<JsonNode> notes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = CorpusEvaluation.class.getResourceAsStream(RESOURCE);
             BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                notes.add(json.readTree(line));
            }
        }
        return notes;
    }

    public static FreeTextDetector detector() {
        return new FreeTextDetector(new PseudonymDomain("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 365),
                FreeTextDetector.Options.defaults());
    }

    public static Score score(List<JsonNode> notes, String split, FreeTextDetector detector, Consumer<Miss> misses) {
        Score score = new Score();
        for (JsonNode note : notes) {
            if (!split.equals(note.get("split").asText())) {
                continue;
            }
            score.notes++;
            String text = note.get("text").asText();
            PatientIdentifier patient = new PatientIdentifier("urn:corpus", "patient-" + note.get("id").asInt());
            FreeTextDetector.Subject subject = new FreeTextDetector.Subject(patient, 17,
                    FreeTextDetector.nameWords(List.of(note.get("patientName").asText())));
            List<FreeTextDetector.Finding> findings = detector.find(text, subject, false);
            boolean[] covered = new boolean[text.length()];
            for (FreeTextDetector.Finding f : findings) {
                for (int i = f.start(); i < f.end(); i++) {
                    covered[i] = true;
                }
            }
            boolean[] phi = new boolean[text.length()];
            for (JsonNode span : note.get("spans")) {
                int start = span.get("start").asInt();
                int end = span.get("end").asInt();
                String category = span.get("category").asText();
                boolean all = true;
                for (int i = start; i < end; i++) {
                    all &= covered[i];
                    phi[i] = true;
                }
                int[] c = score.perCategory.computeIfAbsent(category, k -> new int[2]);
                c[0]++;
                if (all) {
                    c[1]++;
                } else {
                    misses.accept(new Miss(note.get("id").asInt(), category, text.substring(start, end), context(text, start, end)));
                }
            }
            for (FreeTextDetector.Finding f : findings) {
                score.findings++;
                boolean overlaps = false;
                for (int i = f.start(); i < f.end() && !overlaps; i++) {
                    overlaps = phi[i];
                }
                if (overlaps) {
                    score.truePositives++;
                } else {
                    misses.accept(new Miss(note.get("id").asInt(), "FP:" + f.category(), text.substring(f.start(), f.end()),
                            context(text, f.start(), f.end())));
                }
            }
        }
        return score;
    }

    private static String context(String text, int start, int end) {
        return (text.substring(Math.max(0, start - 40), start) + "<<" + text.substring(start, end) + ">>"
                + text.substring(end, Math.min(text.length(), end + 40))).replace('\n', '|');
    }

    /** For whoever writes rules: the train split's score and every miss. Never run on the test split. */
    public static void main(String[] args) throws IOException {
        List<JsonNode> notes = load();
        Score score = score(notes, "train", detector(), m -> System.out.println(m.category() + "\t" + m.value() + "\t" + m.context()));
        System.out.println(score.table("train split"));
    }
}
