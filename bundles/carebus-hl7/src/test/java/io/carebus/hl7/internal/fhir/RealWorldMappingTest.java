package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.GenericModelClassFactory;
import ca.uhn.hl7v2.parser.ParserConfiguration;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-world-style corpus of item 1 ({@code src/test/resources/realworld/}): every message, parsed as processing
 * reads it (primitive validation off, an empty or unknown OBX-2 as ST, else generically), maps to a Bundle that holds
 * the resource each of its segments calls for and validates against the R4 base definitions (0 errors). The counts of
 * resource types over the corpus are printed at the end.
 */
class RealWorldMappingTest {

    private static final Path CORPUS = Path.of("src/test/resources/realworld");
    private static final Map<String, Integer> TOTALS = new ConcurrentHashMap<>();
    private static final Set<String> RESULTS = Set.of("ORU", "OUL");
    private static final Set<String> ORDERS = Set.of("ORM", "OML", "OMG", "OMI", "OMB", "OMD", "OMN", "OMS", "REF", "RRI");

    private final Hl7FhirMapper mapper = new Hl7FhirMapper(Samples.ZONE);

    static List<String> corpus() throws Exception {
        if (!Files.isDirectory(CORPUS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hl7")).sorted().toList();
        }
    }

    private static HapiContext lenient(boolean generic) {
        ParserConfiguration config = new ParserConfiguration();
        config.setIdGenerator(new InMemoryIDGenerator());
        config.setDefaultObx2Type("ST");
        config.setInvalidObx2Type("ST");
        return new DefaultHapiContext(config, ValidationContextFactory.noValidation(),
                generic ? new GenericModelClassFactory() : new ca.uhn.hl7v2.parser.DefaultModelClassFactory());
    }

    private static final HapiContext VERSIONED = lenient(false);
    private static final HapiContext GENERIC = lenient(true);

    @ParameterizedTest
    @MethodSource("corpus")
    void mapsWithTheResourcesItsSegmentsCallFor(String name) throws Exception {
        byte[] bytes = Files.readAllBytes(CORPUS.resolve(name));
        String text = new String(bytes, name.contains("latin1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        text = text.replace("\uFEFF", "").replace("\r\n", "\n").replace('\n', '\r').replaceAll("\r+$", "");
        Message message;
        try {
            message = Samples.parse(VERSIONED, text);
        } catch (ca.uhn.hl7v2.HL7Exception e) {
            message = Samples.parse(GENERIC, text);
        }
        Hl7FhirMapper.Mapped mapped = mapper.map(message, name).orElseThrow();
        Map<String, Integer> counts = Samples.counts(mapped.bundle());
        counts.forEach((type, n) -> TOTALS.merge(type, n, Integer::sum));
        assertThat(counts.keySet()).as(name).containsAll(expected(text));
        assertThat(R4Validation.errors(mapped.bundle())).as(name).isEmpty();
        assertThat(mapped.bundle().getEntry()).allSatisfy(e -> assertThat(e.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT));
    }

    /** What the segments call for, read from the raw text (not from the mapper's own view of the message). */
    static Set<String> expected(String text) {
        String[] segments = text.split("\r");
        String[] msh = segments[0].split("\\|", -1);
        String type = msh.length > 8 ? msh[8].split("\\^")[0] : "";
        Set<String> out = new java.util.TreeSet<>(Set.of("MessageHeader", "Provenance"));
        for (String segment : segments) {
            String[] f = segment.split("\\|", -1);
            String id = f[0];
            switch (id) {
                case "PID" -> out.add("Patient");
                case "DG1" -> addIf(out, "Condition", f, 3);
                case "PRB" -> addIf(out, "Condition", f, 3);
                case "AL1", "IAM" -> addIf(out, "AllergyIntolerance", f, 3);
                case "PR1" -> addIf(out, "Procedure", f, 3);
                case "IN1" -> out.add("Coverage");
                case "GT1" -> out.add("Account");
                case "RXC" -> addIf(out, "Medication", f, 2);
                case "SPM" -> out.add("Specimen");
                case "TXA" -> out.add("DocumentReference");
                case "SCH" -> out.add("Appointment");
                case "FT1" -> addIf(out, "ChargeItem", f, 7);
                case "RXE", "RXO" -> out.add("MedicationRequest");
                case "RXD" -> out.add("MedicationDispense");
                case "RF1" -> out.add("ServiceRequest");
                case "RXA" -> addIf(out, "VXU".equals(type) ? "Immunization" : "MedicationAdministration", f, 5);
                case "OBR" -> out.add(RESULTS.contains(type) ? "DiagnosticReport" : "ServiceRequest");
                case "ORC" -> {
                    if (ORDERS.contains(type)) {
                        out.add("ServiceRequest");
                    }
                }
                case "OBX" -> {
                    if (!"MDM".equals(type) && f.length > 2 && !"ED".equals(f[2]) && f.length > 5 && !f[5].isEmpty()) {
                        out.add("Observation");
                    }
                }
                default -> { }
            }
        }
        return out;
    }

    private static void addIf(Set<String> out, String type, String[] fields, int field) {
        if (fields.length > field && !fields[field].isBlank()) {
            out.add(type);
        }
    }

    @AfterAll
    static void printCounts() {
        System.out.println("realworld corpus, resources by type: " + new TreeMap<>(TOTALS));
    }
}
