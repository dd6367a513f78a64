package io.carebus.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the demographics of Synthea patients (one FHIR Bundle per patient, {@code *.json} or {@code *.json.gz}, as
 * Synthea writes them to {@code <output>/fhir}); hospital and practitioner information files are skipped. Files are
 * taken in name order, so a cached Synthea output always gives the same patients in the same order.
 */
public final class SyntheaPatients {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheaPatients() {
    }

    /** The patients of every Bundle in {@code dir}, each given the MRN {@code mrnPrefix + index}. */
    public static List<DemoPatient> load(Path dir, String mrnPrefix) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> {
                String n = f.getFileName().toString();
                return (n.endsWith(".json") || n.endsWith(".json.gz")) && !n.startsWith("hospitalInformation")
                        && !n.startsWith("practitionerInformation");
            }).sorted().toList();
        }
        List<DemoPatient> patients = new ArrayList<>();
        for (Path f : files) {
            DemoPatient p = fromBundle(read(f), mrnPrefix + patients.size());
            if (p != null) {
                patients.add(p);
            }
        }
        return patients;
    }

    private static JsonNode read(Path f) throws IOException {
        try (InputStream raw = Files.newInputStream(f);
             InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return JSON.readTree(in);
        }
    }

    /** The Patient of a Synthea Bundle as a feed patient, or null when the Bundle has none. */
    static DemoPatient fromBundle(JsonNode bundle, String mrn) {
        for (JsonNode entry : bundle.path("entry")) {
            JsonNode r = entry.path("resource");
            if (!"Patient".equals(r.path("resourceType").asText())) {
                continue;
            }
            JsonNode name = r.path("name").path(0);
            String birth = r.path("birthDate").asText("");
            JsonNode address = r.path("address").path(0);
            return new DemoPatient(mrn, name.path("family").asText("Doe"), name.path("given").path(0).asText("Pat"),
                    birth.isEmpty() ? null : LocalDate.parse(birth), r.path("gender").asText("unknown"),
                    address.path("city").asText(null), address.path("state").asText(null));
        }
        return null;
    }
}
