package io.carebus.modelkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Writes a starter model-card.yaml beside an ONNX file, from its graph, with TODOs for what the vendor must write. */
@Command(name = "init", description = "Writes a starter model-card.yaml beside model.onnx from the ONNX graph (inputs, outputs, "
        + "shapes, types), with TODOs for codes, units, windows, intended use, training data and subgroup performance.")
final class InitCommand implements Callable<Integer> {

    /** The largest ONNX file read into memory (a model bundle may hold at most 512 MB in all). */
    private static final long MAX_ONNX_BYTES = 512L * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the ONNX file; the card is written into its folder")
    Path onnx;

    @Option(names = "--id", description = "model id (letters, digits, '.', '_', '-'; default: the file's folder name)")
    String id;

    @Option(names = "--vendor", defaultValue = "TODO-vendor", description = "vendor id")
    String vendor;

    @Option(names = "--force", description = "overwrite an existing model-card.yaml")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (Files.size(onnx) > MAX_ONNX_BYTES) {
            throw new IllegalArgumentException(onnx + " is larger than a model bundle may be (512 MB)");
        }
        Path dir = onnx.toAbsolutePath().getParent();
        Path card = dir.resolve(ModelDirectory.CARD);
        if (Files.exists(card) && !force) {
            throw new IllegalArgumentException(card + " exists; --force overwrites it");
        }
        String modelId = id != null ? id : dir.getFileName().toString().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        String yaml = StarterCard.write(Files.readAllBytes(onnx), onnx.getFileName().toString(), modelId, vendor);
        Files.writeString(card, yaml, StandardCharsets.UTF_8);
        long todos = yaml.lines().filter(l -> l.contains("TODO")).count();
        spec.commandLine().getOut().println("wrote " + card + ": " + todos + " TODOs to fill in, then 'carebus-model selftest --generate'");
        spec.commandLine().getOut().flush();
        return CareBusModel.OK;
    }
}
