package io.carebus.models.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import jdk.security.jarsigner.JarSigner;

/**
 * Builds model bundle jars for the tests and signs them with the JDK's own jar signer, with keys made by keytool:
 * a "vendor" key whose certificate goes into the trust store, and a "stranger" key that is not trusted.
 */
public final class ModelBundles {

    public static final String PASSWORD = "changeit";

    private final Path dir;

    public ModelBundles(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        keytool("-genkeypair", "-alias", "vendor", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Demo Vendor,O=CareBus Tests",
                "-validity", "2", "-keystore", dir.resolve("vendor.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Stranger",
                "-validity", "2", "-keystore", dir.resolve("stranger.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", "vendor", "-file", dir.resolve("vendor.cer").toString(), "-keystore",
                dir.resolve("vendor.p12").toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "vendor", "-file", dir.resolve("vendor.cer").toString(), "-keystore",
                trustStore().toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
    }

    public Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** An unsigned model bundle holding the given files, with CareBus-Model naming {@code card}. */
    public Path unsigned(String name, Map<String, byte[]> files, String card) throws IOException {
        return unsigned(name, files, card, Map.of());
    }

    /** As {@link #unsigned(String, Map, String)}, with more manifest headers (those a model bundle must not have, say). */
    public Path unsigned(String name, Map<String, byte[]> files, String card, Map<String, String> extraHeaders) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "test.model." + name);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("CareBus-Model", card);
        extraHeaders.forEach(main::putValue);
        Path jar = dir.resolve(name + "-unsigned.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                zip.putNextEntry(new JarEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeEntry();
            }
        }
        return jar;
    }

    /** The jar signed by "vendor" (trusted) or "stranger". */
    public Path signed(Path unsigned, String signer) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(signer + ".p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey(signer, PASSWORD.toCharArray());
        CertPath chain = CertificateFactory.getInstance("X.509").generateCertPath(
                Arrays.asList((X509Certificate[]) Arrays.stream(store.getCertificateChain(signer)).toArray(X509Certificate[]::new)));
        Path signed = dir.resolve(unsigned.getFileName().toString().replace("-unsigned", "-" + signer));
        try (ZipFile in = new ZipFile(unsigned.toFile()); OutputStream out = Files.newOutputStream(signed)) {
            JarSigner.Builder builder = new JarSigner.Builder(key, chain).digestAlgorithm("SHA-256");
            builder.build().sign(in, out);
        }
        return signed;
    }

    /** A copy of {@code jar} with one byte of {@code entry} flipped, everything else (signature files too) unchanged. */
    public Path tampered(Path jar, String entry) throws IOException {
        Path out = dir.resolve("tampered-" + jar.getFileName());
        try (ZipFile in = new ZipFile(jar.toFile()); ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().equals(entry)) {
                    bytes[bytes.length / 2] ^= 1;
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out;
    }

    public static Map<String, byte[]> files(Object... nameThenBytes) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            Object v = nameThenBytes[i + 1];
            files.put((String) nameThenBytes[i], v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) v);
        }
        return files;
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    public static boolean isSigned(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.stream().anyMatch(e -> e.getName().endsWith(".SF"));
        }
    }
}
