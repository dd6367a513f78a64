package io.carebus.testehr;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link TestEhrServer} once per test JVM as a child process (its own class path, from this module's
 * {@code target/server.classpath}), and talks to its control paths. Only the JDK is used here, so test code compiled
 * against another HAPI version can call it. The child stops when this JVM exits: it watches its standard input.
 */
public final class TestEhrProcess {

    /** System property naming this module's {@code target} directory; else it is looked for above the working dir. */
    public static final String TARGET_DIR = "carebus.test-ehr.target";
    private static TestEhrProcess running;

    private final Process process;
    private final int port;
    private final long startMillis;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestEhrProcess(Process process, int port, long startMillis) {
        this.process = process;
        this.port = port;
        this.startMillis = startMillis;
    }

    /** The one test EHR of this JVM, started on first use (HAPI's JPA server takes tens of seconds to start). */
    public static synchronized TestEhrProcess shared() {
        if (running == null || !running.process.isAlive()) {
            running = start();
        }
        return running;
    }

    private static TestEhrProcess start() {
        try {
            Path target = target();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m", "-XX:TieredStopAtLevel=1", "-cp",
                    target.resolve("classes") + java.io.File.pathSeparator + Files.readString(target.resolve("server.classpath")).trim(),
                    TestEhrServer.class.getName(), "0"));
            Path log = target.resolve("test-ehr-" + ProcessHandle.current().pid() + ".log");
            long started = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectError(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "test-ehr-stop"));
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                // startup chatter goes to the log
            }
            if (line == null) {
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("the test EHR did not start (exit " + (p.isAlive() ? "?" : p.exitValue()) + "), see " + log);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("test EHR (HAPI FHIR JPA server, H2) started in %d ms: %s%n", millis, line);
            return new TestEhrProcess(p, Integer.parseInt(line.split(" ")[1]), millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path target() {
        String configured = System.getProperty(TARGET_DIR);
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("test-ehr").resolve("target");
            if (Files.exists(candidate.resolve("server.classpath"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("test-ehr/target/server.classpath not found: build the test-ehr module first");
    }

    /** How long the server took to start, from launch to serving requests. */
    public long startMillis() {
        return startMillis;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port + TestEhrServer.FHIR_PATH;
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + port + "/oauth2/token";
    }

    /** Registers the client's public JWKS (JSON) with this token lifetime; replaces earlier registrations. */
    public void registerClient(String publicJwks, long tokenLifetimeSeconds) {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/control/clients?lifetime=" + tokenLifetimeSeconds))
                .PUT(HttpRequest.BodyPublishers.ofString(publicJwks)).build(), 204);
    }

    /** Tokens issued since the server started. */
    public int tokensIssued() {
        return Integer.parseInt(tokenReport().get(0).substring("issued ".length()));
    }

    /** Why assertions were refused, oldest first. */
    public List<String> tokenRefusals() {
        List<String> lines = tokenReport();
        return lines.subList(1, lines.size()).stream().map(l -> l.substring("refused: ".length())).toList();
    }

    /** Revokes every token issued: the next write with one gets 401. */
    public void revokeTokens() {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/control/tokens")).DELETE().build(), 204);
    }

    private List<String> tokenReport() {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/control/tokens")).GET().build(), 200)
                .lines().toList();
    }

    /** GET on the FHIR base ({@code path} like {@code Observation/_history?_since=...}); the JSON body, 200 required. */
    public String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/" + path)).header("Accept", "application/fhir+json").GET().build(), 200);
    }

    private String send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != expected) {
                throw new IllegalStateException(request.uri() + " answered " + answer.statusCode() + ": " + answer.body());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
