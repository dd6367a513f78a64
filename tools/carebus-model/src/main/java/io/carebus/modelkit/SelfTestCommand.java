package io.carebus.modelkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carebus.inference.check.ModelCheckException;
import io.carebus.inference.check.ModelProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Self-test vectors: {@code --generate} runs ONNX Runtime, the way the engine does ({@link ModelProbe}), on example
 * inputs or rows of the background sample and writes inputs and outputs into the card (refreshing the listed files'
 * sha256 first); without it the card's vectors are run as the appliance runs them when it installs the bundle.
 */
@Command(name = "selftest", description = {"Runs the card's self-test vectors as the appliance does at install.",
        "--generate computes them with ONNX Runtime from example inputs or background rows and writes them into the card."})
final class SelfTestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = ".", description = "model folder with model-card.yaml; default: .")
    Path folder;

    @Option(names = "--generate", description = "compute the vectors and write them into the card")
    boolean generate;

    @Option(names = "--inputs", description = "YAML list of example inputs (feature name -> value); default: rows of the background sample")
    Path inputs;

    @Option(names = "--rows", defaultValue = "3", description = "background rows to use, spread over the sample (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--constant", split = ",", defaultValue = "0.0,0.5,1.0",
            description = "imaging models: values filling the preprocessed image, one vector each (default: ${DEFAULT-VALUE})")
    List<Double> constants;

    @Option(names = "--tolerance", defaultValue = "0.00001", description = "absolute tolerance written with each vector (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Override
    public Integer call() throws Exception {
        ModelDirectory dir = new ModelDirectory(folder);
        Findings findings = new Findings();
        if (generate) {
            String card = refreshHashes(dir);
            Files.writeString(dir.cardPath(), card, StandardCharsets.UTF_8);
            StringBuilder block = new StringBuilder("selfTests:  # written by carebus-model selftest --generate\n");
            int n;
            try (ModelProbe probe = ModelProbe.open(card.getBytes(StandardCharsets.UTF_8), dir.contents())) {
                if (probe.isImage()) {
                    for (double c : constants) {
                        block.append(CardText.selfTest(Map.of("constant", c), probe.runConstantImage(c), tolerance));
                    }
                    n = constants.size();
                } else {
                    List<Map<String, Double>> examples = inputs != null ? examples(Files.readAllBytes(inputs)) : backgroundRows(dir, probe.features());
                    for (Map<String, Double> example : examples) {
                        Map<String, Double> ordered = new LinkedHashMap<>();
                        probe.features().forEach(f -> {
                            if (example.containsKey(f)) {
                                ordered.put(f, example.get(f));
                            }
                        });
                        block.append(CardText.selfTest(ordered, probe.run(ordered), tolerance));
                    }
                    n = examples.size();
                }
            } catch (ModelCheckException e) {
                findings.problems(e.problems());
                return findings.print(spec.commandLine().getOut(), "", "the model cannot be run from this card yet");
            }
            Files.writeString(dir.cardPath(), CardText.withSelfTests(card, block.toString()), StandardCharsets.UTF_8);
            findings.note("wrote " + n + " self-test vectors into " + dir.cardPath());
        }
        try (ModelProbe probe = ModelProbe.open(dir.card(), dir.contents())) {
            findings.problems(probe.selfTestProblems());
        } catch (ModelCheckException e) {
            findings.problems(e.problems());
        }
        return findings.print(spec.commandLine().getOut(), "OK: the self-tests pass as the appliance runs them", "self-tests fail");
    }

    /** The card with each listed file's sha256 set to the file's own (the vendor edits files; the card follows). */
    private static String refreshHashes(ModelDirectory dir) throws Exception {
        String card = new String(dir.card(), StandardCharsets.UTF_8);
        for (String path : ModelDirectory.listedPaths(dir.card())) {
            Path file = dir.dir().resolve(path).normalize();
            if (file.startsWith(dir.dir().normalize()) && Files.isRegularFile(file)) {
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
                card = CardText.withSha256(card, path, sha);
            }
        }
        return card;
    }

    private static List<Map<String, Double>> examples(byte[] yaml) throws Exception {
        List<Map<String, Double>> rows = new ArrayList<>();
        JsonNode list = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        if (!list.isArray()) {
            throw new IllegalArgumentException("--inputs must be a YAML list of maps (feature name: value)");
        }
        for (JsonNode row : list) {
            Map<String, Double> values = new LinkedHashMap<>();
            row.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
            rows.add(values);
        }
        return rows;
    }

    /** {@code rows} rows spread evenly over the background sample the card lists (role background). */
    private List<Map<String, Double>> backgroundRows(ModelDirectory dir, List<String> features) throws Exception {
        String path = null;
        JsonNode files = new ObjectMapper(new YAMLFactory()).readTree(dir.card()).path("files");
        for (JsonNode f : files) {
            if ("background".equals(f.path("role").asText())) {
                path = f.path("path").asText();
            }
        }
        if (path == null) {
            throw new IllegalArgumentException("no example inputs: give --inputs examples.yaml or list a background sample (role: background)");
        }
        List<String> lines = Files.readAllLines(dir.dir().resolve(path)).stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            throw new IllegalArgumentException("the background sample " + path + " has no rows");
        }
        List<String> header = List.of(lines.get(0).strip().split("\\s*,\\s*"));
        List<String> data = lines.subList(1, lines.size());
        int n = Math.max(1, Math.min(rows, data.size()));
        List<Map<String, Double>> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            String[] cells = data.get(r * data.size() / n).strip().split("\\s*,\\s*");
            Map<String, Double> values = new LinkedHashMap<>();
            for (int c = 0; c < header.size() && c < cells.length; c++) {
                if (features.contains(header.get(c))) {
                    values.put(header.get(c), Double.parseDouble(cells[c]));
                }
            }
            out.add(values);
        }
        return out;
    }
}
