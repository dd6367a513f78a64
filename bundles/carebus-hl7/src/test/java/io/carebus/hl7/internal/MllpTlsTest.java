package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MLLP over TLS and mutual TLS on a real listener, with key stores made by the JDK's keytool. */
class MllpTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path etc;

    private CloseableMessageStore store;
    private DefaultCamelContext camel;
    private Hl7Dispatcher dispatcher;
    private MllpListener listener;

    @BeforeAll
    static void keys() throws Exception {
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", "server.p12");
        keytool("-genkeypair", "-alias", "sender", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=lab-system",
                "-validity", "2", "-keystore", "sender.p12");
        keytool("-exportcert", "-alias", "server", "-keystore", "server.p12", "-file", "server.crt");
        keytool("-exportcert", "-alias", "sender", "-keystore", "sender.p12", "-file", "sender.crt");
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", "server.crt", "-keystore", "sender-trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "sender", "-file", "sender.crt", "-keystore", "clients.p12");
    }

    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 5];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "-storepass";
        command[args.length + 2] = PASSWORD;
        command[args.length + 3] = "-storetype";
        command[args.length + 4] = "PKCS12";
        Process p = new ProcessBuilder(command).directory(etc.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    private int start(String clientAuth) throws Exception {
        System.setProperty("karaf.etc", etc.toString());
        store = MessageStores.openEmbedded(etc.resolve("store-" + clientAuth), Duration.ofHours(1));
        camel = new DefaultCamelContext();
        camel.start();
        dispatcher = new Hl7Dispatcher(store, camel, "direct:nowhere?block=false", 60_000);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("name", "secure");
        cfg.put("host", "127.0.0.1");
        cfg.put("port", port);
        cfg.put("tls_enabled", true);
        cfg.put("tls_keystore", "server.p12");
        cfg.put("tls_keystore_password", PASSWORD);
        cfg.put("tls_truststore", "clients.p12");
        cfg.put("tls_truststore_password", PASSWORD);
        cfg.put("tls_client_auth", clientAuth);
        cfg.put("audit_required", false);
        listener = new MllpListener(ListenerConfigs.of(cfg), camel, store, dispatcher);
        return port;
    }

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.deactivate();
        }
        if (dispatcher != null) {
            dispatcher.deactivate();
        }
        if (camel != null) {
            camel.stop();
        }
        if (store != null) {
            store.close();
        }
        System.clearProperty("karaf.etc");
    }

    private static SSLContext client(boolean withCertificate) throws Exception {
        KeyStore trust = load("sender-trust.p12");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(withCertificate ? load("sender.p12") : null, PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(withCertificate ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static KeyStore load(String name) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(etc.resolve(name).toFile())) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static String send(Socket socket, String controlId) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(MllpFrames.frame("MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128||ADT^A01|" + controlId
                + "|P|2.5\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\r"));
        socket.getOutputStream().flush();
        return MllpFrames.read(socket.getInputStream());
    }

    @Test
    void mutualTlsAcceptsASenderWithATrustedCertificateOnly() throws Exception {
        int port = start("REQUIRE");
        try (SSLSocket socket = (SSLSocket) client(true).getSocketFactory().createSocket("127.0.0.1", port)) {
            assertThat(send(socket, "TLS-1")).contains("MSA|AA|TLS-1");
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
        assertThatThrownBy(() -> {
            try (SSLSocket socket = (SSLSocket) client(false).getSocketFactory().createSocket("127.0.0.1", port)) {
                send(socket, "TLS-2");
            }
        }).as("no client certificate: no ACK").isInstanceOf(IOException.class);
        try (Socket plain = new Socket("127.0.0.1", port)) {
            assertThatThrownBy(() -> send(plain, "TLS-3")).as("plain MLLP on the TLS port: no ACK").isInstanceOf(IOException.class);
        }
        assertThat(store.search(new io.carebus.api.store.MessageQuery(null, null, null, null, null, null, null, null, 10)))
                .extracting(m -> m.controlId()).containsExactly("TLS-1");
    }

    @Test
    void serverOnlyTlsAcceptsSendersWithoutACertificate() throws Exception {
        int port = start("NONE");
        try (SSLSocket socket = (SSLSocket) client(false).getSocketFactory().createSocket("127.0.0.1", port)) {
            assertThat(send(socket, "TLS-4")).contains("MSA|AA|TLS-4");
        }
    }

    @Test
    void aMissingKeyStoreIsNamedAtStart() {
        System.setProperty("karaf.etc", etc.toString());
        Map<String, Object> cfg = Map.of("tls_enabled", true, "tls_keystore", "nope.p12", "port", 1);
        assertThatThrownBy(() -> MllpTls.of(ListenerConfigs.of(cfg), etc).parameters()).hasMessageContaining("nope.p12");
        Map<String, Object> mutual = Map.of("tls_keystore", "server.p12", "tls_client_auth", "REQUIRE");
        assertThatThrownBy(() -> MllpTls.of(ListenerConfigs.of(mutual), etc).parameters()).hasMessageContaining("needs tls.truststore");
        Map<String, Object> bad = Map.of("tls_client_auth", "MAYBE");
        assertThatThrownBy(() -> MllpTls.of(ListenerConfigs.of(bad), etc)).hasMessageContaining("NONE, WANT or REQUIRE");
    }
}
