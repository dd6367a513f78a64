package io.carebus.bench.hl7fhir;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.hl7.internal.fhir.Hl7FhirMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Messages/s through {@link Hl7FhirMapper#map} alone, per message family (MSH-9.1): the messages are parsed once
 * beforehand (parsing is the intake's cost, not the mapper's) and no JSON is written. Each family runs a warm-up, then
 * {@code rounds} timed rounds of {@code seconds} each, families alternating round by round; the median is reported.
 * Usage: MapperBench <folder of .hl7 files> [rounds=5] [seconds=2]
 */
public final class MapperBench {

    private MapperBench() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "bundles/carebus-hl7/src/test/resources/mapping");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
        HapiContext hapi = new DefaultHapiContext(ValidationContextFactory.noValidation());
        hapi.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        Map<String, List<Message>> families = new TreeMap<>();
        List<Path> files;
        try (var stream = Files.walk(folder)) {
            files = stream.filter(p -> p.toString().endsWith(".hl7")).sorted().toList();
        }
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    .replace("\r\n", "\n").replace('\n', '\r').replaceAll("\r+$", "");
            Message message = hapi.getPipeParser().parse(text);
            String type = text.split("\\|", 10)[8].split("\\^")[0];
            families.computeIfAbsent(type, k -> new ArrayList<>()).add(message);
        }
        Hl7FhirMapper mapper = new Hl7FhirMapper(ZoneId.of("Europe/Zurich"));
        for (List<Message> messages : families.values()) {
            run(mapper, messages, 1.0);
        }
        Map<String, double[]> rates = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, List<Message>> family : families.entrySet()) {
                rates.computeIfAbsent(family.getKey(), k -> new double[rounds])[round] = run(mapper, family.getValue(), seconds);
            }
        }
        System.out.printf("%-6s %8s %12s %12s %12s%n", "family", "samples", "median msg/s", "min msg/s", "max msg/s");
        for (Map.Entry<String, double[]> e : rates.entrySet()) {
            double[] r = e.getValue().clone();
            Arrays.sort(r);
            System.out.printf("%-6s %8d %12.0f %12.0f %12.0f%n", e.getKey(), families.get(e.getKey()).size(), r[r.length / 2], r[0], r[r.length - 1]);
        }
    }

    private static double run(Hl7FhirMapper mapper, List<Message> messages, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long count = 0;
        int sink = 0;
        while (System.nanoTime() < end) {
            for (Message m : messages) {
                sink += mapper.map(m, Long.toString(count++)).map(x -> x.bundle().getEntry().size()).orElse(0);
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }
}
