package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageWarning;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-world-style corpus ({@code src/test/resources/realworld/}, one message per file, named
 * {@code <family>-<event>-v<version>[-<quirk>].hl7}): every message of every family and version, with the line ends,
 * byte order marks, Z-segments, repetitions, escapes and sloppy fields real senders send, goes through the listener's
 * intake (lenient, as shipped) into the real store, and must be answered AA, stored RECEIVED, and readable by
 * processing. A file whose name carries a known quirk must have a warning at that field. The counts are printed at
 * the end ({@code -Drealworld.verbose=true}: each message's warnings too). To add a message, drop a file into the folder.
 */
class RealWorldCorpusTest {

    /** Quirk in the file name → where the warning must be (segment-field, any occurrence). */
    private static final Map<String, String> QUIRK_WARNINGS = Map.of(
            "tq1-4-colons", "TQ1-4", "in1-13-tz", "IN1-13", "rqd-10-tz", "RQD-10", "obr-23-dtm", "OBR-23",
            "pv1-46-dtm", "PV1-46", "prb-2-16", "PRB-2", "obx-ce-v28", "OBX-2", "sch-shift", "SCH-11", "obx2-empty", "OBX-2",
            "cwe-before-25", "OBX-2");

    @TempDir
    static Path dir;

    private static CloseableMessageStore store;
    private static HapiContext headers;
    private static Hl7Parsing parsing;
    private static Hl7Intake intake;
    private static CanonicalForm processing;
    private static final Map<String, Integer> byFamily = new ConcurrentHashMap<>();
    private static final Map<String, Integer> byVersion = new ConcurrentHashMap<>();
    private static final Map<String, Integer> warningsByLocation = new ConcurrentHashMap<>();
    private static final Map<String, Integer> withWarnings = new ConcurrentHashMap<>();
    private static final Set<String> generic = ConcurrentHashMap.newKeySet();

    static Stream<String> corpus() throws IOException, URISyntaxException {
        Path folder = Path.of(RealWorldCorpusTest.class.getResource("/realworld").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hl7")).sorted().toList().stream();
        }
    }

    @BeforeAll
    static void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        headers = new DefaultHapiContext(ValidationContextFactory.noValidation());
        AckControlIds ids = new AckControlIds();
        headers.getParserConfiguration().setIdGenerator(ids);
        parsing = new Hl7Parsing(ValidationMode.LENIENT, ids);
        intake = new Hl7Intake(new ListenerRules("realworld", ListenerRules.ALL_VERSIONS, Set.of(), List.of(),
                ValidationMode.LENIENT, StandardCharsets.ISO_8859_1), store, parsing, headers.getPipeParser(), Clock.systemUTC());
        processing = new CanonicalForm(ca.uhn.fhir.context.FhirContext.forR4Cached(), java.time.ZoneId.of("UTC"));
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
        headers.close();
        parsing.close();
        System.out.println("Real-world corpus: " + byFamily.values().stream().mapToInt(Integer::intValue).sum() + " messages, all AA and stored");
        System.out.println("  by family:  " + new TreeMap<>(byFamily));
        System.out.println("  by version: " + new TreeMap<>(byVersion));
        System.out.println("  with warnings: " + new TreeMap<>(withWarnings));
        System.out.println("  warnings by field: " + new TreeMap<>(warningsByLocation));
        System.out.println("  read generically (no HAPI structure): " + new java.util.TreeSet<>(generic));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isAcceptedStoredAndReadableByProcessing(String file) throws Exception {
        byte[] frame;
        try (var in = RealWorldCorpusTest.class.getResourceAsStream("/realworld/" + file)) {
            frame = in.readAllBytes();
        }
        IntakeOutcome outcome = intake.handle(frame, "10.20.30.40:5000");

        var stored = store.find(outcome.messageId()).orElseThrow();
        assertThat(outcome.ackCode()).as("%s: %s", file, stored.error()).isEqualTo("AA");
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(stored.message().payload()).isEqualTo(frame);
        assertThat(outcome.accepted().parsed()).as("parsed at intake").isNotNull();
        var reread = processing.parse(stored.message().payload());
        assertThat(reread.getName()).isEqualTo(outcome.accepted().parsed().getName());

        List<MessageWarning> warnings = store.warnings(outcome.messageId());
        String quirk = file.replaceAll("^[a-z]+-[a-z0-9]+-v[0-9.]+-?", "").replaceAll("(-\\d+)?\\.hl7$", "");
        if (QUIRK_WARNINGS.containsKey(quirk)) {
            String field = QUIRK_WARNINGS.get(quirk);
            assertThat(warnings).as("%s must be warned about at %s", file, field)
                    .anySatisfy(w -> assertThat(w.location().replaceAll("\\(\\d+\\)", "")).startsWith(field));
        }
        String family = file.substring(0, file.indexOf('-')).toUpperCase(java.util.Locale.ROOT);
        byFamily.merge(family, 1, Integer::sum);
        byVersion.merge(stored.message().versionId(), 1, Integer::sum);
        withWarnings.merge(warnings.isEmpty() ? "none" : "some", 1, Integer::sum);
        warnings.forEach(w -> warningsByLocation.merge(w.location().replaceAll("\\(\\d+\\)|\\[\\d+\\]|\\..*", ""), 1, Integer::sum));
        if (Boolean.getBoolean("realworld.verbose") && !warnings.isEmpty()) {
            System.out.println(file + ": " + warnings);
        }
        if (outcome.accepted().parsed() instanceof GenericMessage) {
            generic.add(file);
        }
    }
}
