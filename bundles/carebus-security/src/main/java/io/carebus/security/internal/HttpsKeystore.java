package io.carebus.security.internal;

import io.carebus.api.SecretFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS server certificate: the hospital's keystore when one is configured, else a self-signed one generated on
 * first start (the JDK's own {@code keytool}: an EC P-256 key, valid 825 days, naming this machine and localhost) into
 * {@code data/carebus/tls/https.p12}, with a random password beside it (owner-only). Its SHA-256 fingerprint is what
 * an operator compares when a browser or client first meets it.
 */
final class HttpsKeystore {

    /** The keystore to serve: its path, type, password, and the certificate it presents. */
    record Loaded(Path path, String type, String password, X509Certificate certificate, boolean generated) {

        String fingerprint() {
            return fingerprint(certificate);
        }

        static String fingerprint(X509Certificate certificate) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
                return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private HttpsKeystore() {
    }

    /** The configured keystore ({@code configured} not blank), else the generated one, generated if absent. */
    static Loaded load(String configured, String type, String password, Path dataDir, List<String> hostnames)
            throws IOException, GeneralSecurityException, InterruptedException {
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.strip());
            return new Loaded(path, type, password, certificate(path, type, password), false);
        }
        Path dir = dataDir.resolve("carebus").resolve("tls");
        Path keystore = dir.resolve("https.p12");
        Path passwordFile = dir.resolve("https.p12.password");
        if (!Files.isRegularFile(keystore) || !Files.isRegularFile(passwordFile)) {
            generate(keystore, passwordFile, hostnames);
        }
        String generatedPassword = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        return new Loaded(keystore, "PKCS12", generatedPassword, certificate(keystore, "PKCS12", generatedPassword), true);
    }

    /**
     * The password first (owner-only, atomically), then the keystore under a temporary name, renamed when complete:
     * a kill during first start leaves either nothing or a complete pair, never a keystore without its password.
     */
    static void generate(Path keystore, Path passwordFile, List<String> hostnames) throws IOException, InterruptedException {
        Files.createDirectories(keystore.getParent());
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        SecretFiles.write(passwordFile, password + "\n");
        Path temporary = keystore.resolveSibling(keystore.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Set<String> names = new LinkedHashSet<>(hostnames);
        names.add("localhost");
        List<String> san = new ArrayList<>();
        names.forEach(n -> san.add((n.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + n));
        san.add("ip:127.0.0.1");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "carebus-https", "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "825",
                "-dname", "CN=" + names.iterator().next() + ", O=CareBus appliance (self-signed)",
                "-ext", "SAN=" + String.join(",", san), "-storetype", "PKCS12", "-keystore", temporary.toString(),
                "-storepass", password, "-keypass", password, "-noprompt")
                .redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readNBytes(16 * 1024), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool could not generate the HTTPS certificate: " + output.strip());
        }
        Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.move(temporary, keystore, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The certificate of the keystore's first key entry. */
    static X509Certificate certificate(Path path, String type, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password.toCharArray());
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate) {
                return certificate;
            }
        }
        throw new GeneralSecurityException("no key entry with an X.509 certificate in " + path);
    }

    /** The names for a generated certificate: the configured ones, else this machine's name. */
    static List<String> hostnames(String configured) {
        List<String> names = new ArrayList<>();
        for (String n : configured.split(",")) {
            if (!n.isBlank()) {
                names.add(n.strip());
            }
        }
        if (names.isEmpty()) {
            try {
                names.add(InetAddress.getLocalHost().getHostName());
            } catch (IOException e) {
                names.add("localhost");
            }
        }
        return names;
    }
}
