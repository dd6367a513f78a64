package io.carebus.modelkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipFile;
import jdk.security.jarsigner.JarSigner;

/**
 * Writes a model bundle jar the appliance accepts: an OSGi manifest that declares data only (symbolic name, version,
 * {@code CareBus-Model} naming the card) and nothing else, the manifest first, then the card and its files; and signs
 * it with the JDK's jar signer (every entry, one signer).
 */
final class BundleWriter {

    private BundleWriter() {
    }

    /** The bundle's symbolic name: {@code <vendor>.<id>}, so one vendor's ids cannot collide with another's. */
    static String symbolicName(String vendor, String id) {
        return (vendor + "." + id).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    }

    /**
     * The card's version as an OSGi bundle version: up to three numbers, the rest a qualifier ({@code 2.1} → 2.1.0,
     * {@code 1.0.0-rc1} → 1.0.0.rc1).
     */
    static String osgiVersion(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[.-]([A-Za-z0-9_-]+))?")
                .matcher(String.valueOf(version));
        if (!m.matches()) {
            throw new IllegalArgumentException("version " + version + " is not a version a bundle can carry (numbers, e.g. 1.2.0)");
        }
        String v = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3));
        return m.group(4) == null ? v : v + "." + m.group(4);
    }

    static void writeUnsigned(Path jar, String symbolicName, String version, String name, Map<String, byte[]> contents)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        main.putValue("Bundle-Name", name);
        main.putValue("CareBus-Model", ModelDirectory.CARD);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, byte[]> f : contents.entrySet()) {
                zip.putNextEntry(new JarEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeEntry();
            }
        }
    }

    /** A vendor key: the PKCS12 store's only key entry (or {@code alias}) with its certificate chain. */
    record VendorKey(PrivateKey key, List<X509Certificate> chain) {
        X509Certificate certificate() {
            return chain.get(0);
        }
    }

    static VendorKey loadKey(Path p12, char[] password, String alias) throws IOException, java.security.GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, password);
        }
        String chosen = alias;
        if (chosen == null) {
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    if (chosen != null) {
                        throw new IllegalArgumentException(p12 + " holds several keys; name one with --alias");
                    }
                    chosen = a;
                }
            }
        }
        if (chosen == null || !store.isKeyEntry(chosen)) {
            throw new IllegalArgumentException(p12 + " holds no private key" + (alias == null ? "" : " named " + alias));
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : store.getCertificateChain(chosen)) {
            chain.add((X509Certificate) c);
        }
        return new VendorKey((PrivateKey) store.getKey(chosen, password), chain);
    }

    static void sign(Path unsigned, Path signed, VendorKey key) throws IOException, java.security.GeneralSecurityException {
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(key.chain());
        JarSigner.Builder builder = new JarSigner.Builder(key.key(), path).digestAlgorithm("SHA-384");
        try (ZipFile in = new ZipFile(unsigned.toFile()); OutputStream out = Files.newOutputStream(signed)) {
            builder.build().sign(in, out);
        }
    }
}
