package io.carebus.audit.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's rsyslog as an ATNA audit record repository: syslog over TLS (RFC 5425, OpenSSL driver) that demands a
 * client certificate from the test CA, writing each message's MSGID, APP-NAME and MSG to a file. Certificates and
 * stores are made with openssl and keytool into the given directory.
 */
final class RsyslogTlsCollector implements AutoCloseable {

    static final String STORE_PASSWORD = "changeit";

    private final Path dir;
    final int port;
    private Process process;

    RsyslogTlsCollector(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=CareBus Test CA");
        certificate("server", "/CN=localhost", "subjectAltName=DNS:localhost");
        certificate("client", "/CN=carebus-node-1", "extendedKeyUsage=clientAuth");
        run("openssl", "pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:" + STORE_PASSWORD, "-name", "client");
        run("keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.p12",
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        Files.writeString(dir.resolve("rsyslog.conf"), """
                global(workDirectory="%1$s" maxMessageSize="64k" DefaultNetstreamDriver="ossl"
                       DefaultNetstreamDriverCAFile="%1$s/ca.pem" DefaultNetstreamDriverCertFile="%1$s/server.pem"
                       DefaultNetstreamDriverKeyFile="%1$s/server.key")
                module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/certvalid")
                input(type="imtcp" port="%2$d")
                template(name="atna" type="string" string="%%msgid%% %%app-name%% %%msg%%\\n")
                action(type="omfile" file="%1$s/received.log" template="atna")
                """.formatted(dir, port));
    }

    Path clientKeyStore() {
        return dir.resolve("client.p12");
    }

    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(rsyslogd(), "-n", "-f", dir.resolve("rsyslog.conf").toString(), "-i",
                dir.resolve("rsyslogd.pid").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("rsyslogd did not listen on " + port);
    }

    /** The lines received so far: "MSGID APP-NAME MSG". */
    List<String> received() throws IOException {
        Path file = dir.resolve("received.log");
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    List<String> awaitLines(int count, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (received().size() < count && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        return received();
    }

    static String rsyslogd() {
        for (String candidate : List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private void certificate(String name, String subject, String extension) throws IOException, InterruptedException {
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
