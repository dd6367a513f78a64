package io.carebus.dicom.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's Orthanc, started on loopback with its own configuration (DICOM and HTTP ports, the DICOMweb plugin,
 * storage in a temporary folder) and TCP_NODELAY=1, stopped on close. Read back through its REST API.
 */
public final class Orthanc implements AutoCloseable {

    public static final String AE = "ORTHANC";
    private static final String DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private final Process process;
    private final int dicomPort;
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private Orthanc(Process process, int dicomPort, int httpPort) {
        this.process = process;
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
    }

    public static Orthanc start(Path dir) throws IOException, InterruptedException {
        int dicom = freePort();
        int web = freePort();
        Path storage = Files.createDirectories(dir.resolve("orthanc-db"));
        String plugins = Files.exists(Path.of(DICOMWEB_PLUGIN)) ? "\"" + DICOMWEB_PLUGIN + "\"" : "";
        Path config = dir.resolve("orthanc.json");
        Files.writeString(config, """
                {
                  "Name": "carebus-test-pacs",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "DicomAet": "%s",
                  "DicomPort": %d,
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "DicomCheckCalledAet": true,
                  "DicomAlwaysAllowStore": true,
                  "DicomAlwaysAllowEcho": true,
                  "StableAge": 1,
                  "Plugins": [ %s ],
                  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
                }
                """.formatted(storage, storage, AE, dicom, web, plugins));
        ProcessBuilder builder = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile());
        builder.environment().put("TCP_NODELAY", "1");
        Orthanc orthanc = new Orthanc(builder.start(), dicom, web);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (orthanc.get("/system").contains("DicomAet")) {
                    return orthanc;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        orthanc.close();
        throw new IOException("Orthanc did not start: " + Files.readString(dir.resolve("orthanc.log")));
    }

    public int dicomPort() {
        return dicomPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Orthanc answered " + response.statusCode() + " to " + path);
        }
        return response.body();
    }

    /** Orthanc's ids of the instances it holds (a JSON array, as text). */
    public List<String> instances() throws IOException, InterruptedException {
        String body = get("/instances").replaceAll("[\\[\\]\"\\s]", "");
        return body.isEmpty() ? List.of() : List.of(body.split(","));
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
