package io.carebus.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * What every CareBus integration test shares: the built appliance booted by Pax Exam on free ports, and helpers
 * to talk to it. Test methods run inside the appliance; {@link #config()} runs in the Maven JVM.
 */
public abstract class CareBusTestSupport {

    static final String HTTP_PORT = "carebus.itest.http.port";
    static final String MLLP_PORT = "carebus.itest.mllp.port";
    static final String DICOM_PORT = "carebus.itest.dicom.port";

    @Configuration
    public Option[] config() {
        String distribution = System.getProperty("carebus.distribution");
        if (distribution == null || !new File(distribution).isFile()) {
            throw new IllegalStateException("the appliance tarball is missing (" + distribution
                    + "); build karaf-assembly first");
        }
        String localRepo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        int http = freePort();
        int mllp = freePort();
        int dicom = freePort();
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(new File(distribution).toURI().toString())
                    .name("CareBus")
                    .unpackDirectory(new File("target/exam"))
                    .useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            // Fail within a minute rather than hang when the container or a service never comes up.
            systemTimeout(120_000),
            systemProperty("pax.exam.service.timeout").value("60000"),
            systemProperty(HTTP_PORT).value(Integer.toString(http)),
            systemProperty(MLLP_PORT).value(Integer.toString(mllp)),
            systemProperty(DICOM_PORT).value(Integer.toString(dicom)),
            editConfigurationFilePut("etc/io.carebus.dicom.cfg", "port", Integer.toString(dicom)),
            editConfigurationFilePut("etc/io.carebus.dicom.cfg", "study.quiet.seconds", "1"),
            editConfigurationFilePut("etc/io.carebus.hl7-main.cfg", "port", Integer.toString(mllp)),
            editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(http)),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            // Not 8443: an appliance or another container on this machine may hold it.
            editConfigurationFilePut("etc/io.carebus.security.cfg", "https.port", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepo),
        };
    }

    /** {@code base} (usually {@code super.config()}) with a test class's own options after it. */
    protected static Option[] plus(Option[] base, Option... extra) {
        Option[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** The appliance's base folder (inside the container). */
    protected static Path karafBase() {
        return Path.of(System.getProperty("karaf.base"));
    }

    /** The port of the shipped HL7v2 listener "main" (inside the container). */
    protected static int mllpPort() {
        return Integer.parseInt(System.getProperty(MLLP_PORT));
    }

    protected static Path karafData() {
        return Path.of(System.getProperty("karaf.data"));
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    protected HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + path)).timeout(Duration.ofSeconds(10));
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        return http(request.GET().build());
    }

    protected HttpResponse<String> http(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    protected static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return get(path, null, null);
    }

    /** The generated admin password, once the appliance has written it (which it does once the user is complete). */
    protected static String adminPassword() throws Exception {
        Path file = karafData().resolve("carebus/initial-admin-password");
        await("the initial admin password file", Duration.ofSeconds(60), () -> java.nio.file.Files.isRegularFile(file));
        String password = java.nio.file.Files.readString(file).strip();
        // Once per container: the first login right after the first boot was seen refused (401) once in CI while the
        // file was already there; wait until the realm accepts the user, and fail clearly if it never does.
        if (!password.equals(acceptedPassword)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest probe = HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT)
                    + "/api/messages?limit=1")).timeout(Duration.ofSeconds(10)).header("Authorization", basic("admin", password)).build();
            await("the admin user accepted by the karaf realm", Duration.ofSeconds(60), () -> {
                try {
                    return client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            acceptedPassword = password;
        }
        return password;
    }

    private static volatile String acceptedPassword;

    /** Polls until the condition holds; fails with {@code what} after the timeout. */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Runs a Karaf shell command as a user holding the given roles and returns what it printed. */
    protected static String runShell(org.apache.karaf.shell.api.console.SessionFactory shell, String command, String... roles)
            throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        org.apache.karaf.shell.api.console.Session session = shell.create(new java.io.ByteArrayInputStream(new byte[0]), print, print);
        javax.security.auth.Subject subject = new javax.security.auth.Subject();
        subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("itest"));
        for (String role : roles) {
            subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal(role));
        }
        try {
            javax.security.auth.Subject.doAs(subject, (java.security.PrivilegedExceptionAction<Object>) () -> session.execute(command));
        } finally {
            session.close();
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
