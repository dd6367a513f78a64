package io.carebus.modelkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A vendor's model folder: {@code model-card.yaml} and the files it lists (paths relative to the folder, as they
 * will be inside the bundle). Only the card and the files it lists go into the bundle, so nothing stray ships.
 */
final class ModelDirectory {

    static final String CARD = "model-card.yaml";
    /** The largest card read (a card is a page of YAML; a bigger file is not one). */
    private static final long MAX_CARD_BYTES = 4L * 1024 * 1024;

    private final Path dir;

    ModelDirectory(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path cardPath() {
        return dir.resolve(CARD);
    }

    byte[] card() throws IOException {
        if (!Files.isRegularFile(cardPath())) {
            throw new IOException("no " + CARD + " in " + dir + " (carebus-model init model.onnx writes one)");
        }
        if (Files.size(cardPath()) > MAX_CARD_BYTES) {
            throw new IOException(cardPath() + " is larger than " + MAX_CARD_BYTES / (1024 * 1024) + " MB");
        }
        return Files.readAllBytes(cardPath());
    }

    /**
     * The card first, then each file the card lists that exists, by bundle path. A listed file that is missing is
     * left out, so the appliance's check reports it ("the card lists x, which the bundle does not hold").
     */
    Map<String, byte[]> contents() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] card = card();
        files.put(CARD, card);
        for (String path : listedPaths(card)) {
            Path file = dir.resolve(path).normalize();
            if (file.startsWith(dir.normalize()) && Files.isRegularFile(file)) {
                files.put(path, Files.readAllBytes(file));
            }
        }
        return files;
    }

    /** The {@code files[].path} entries of a card, read loosely (the strict reading is the appliance's check). */
    static java.util.List<String> listedPaths(byte[] card) {
        java.util.List<String> paths = new java.util.ArrayList<>();
        try {
            JsonNode files = new ObjectMapper(new YAMLFactory()).readTree(card).path("files");
            for (JsonNode f : files) {
                String p = f.path("path").asText(null);
                if (p != null && !p.isBlank() && !p.equals(CARD)) {
                    paths.add(p);
                }
            }
        } catch (IOException e) {
            // an unreadable card lists nothing; the appliance's card reader says why
        }
        return paths;
    }
}
