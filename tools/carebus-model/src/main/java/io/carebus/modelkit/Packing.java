package io.carebus.modelkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;

/** A model folder written as a bundle jar, named from its card's vendor, id and version. */
final class Packing {

    private Packing() {
    }

    record Identity(String vendor, String id, String version, String name) {
    }

    static Identity identity(byte[] card) {
        try {
            JsonNode c = new ObjectMapper(new YAMLFactory()).readTree(card);
            return new Identity(c.path("vendor").asText("vendor"), c.path("id").asText("model"), c.path("version").asText("0.0.0"),
                    c.path("name").asText(c.path("id").asText("model")));
        } catch (IOException e) {
            return new Identity("vendor", "model", "0.0.0", "model");
        }
    }

    static void writeUnsigned(ModelDirectory dir, Path jar) throws IOException {
        Identity who = identity(dir.card());
        String version;
        try {
            version = BundleWriter.osgiVersion(who.version());
        } catch (IllegalArgumentException e) {
            version = "0.0.0"; // the card's version is reported by the card check; the jar still needs one to be checked
        }
        BundleWriter.writeUnsigned(jar, BundleWriter.symbolicName(who.vendor(), who.id()), version, who.name(), dir.contents());
    }
}
