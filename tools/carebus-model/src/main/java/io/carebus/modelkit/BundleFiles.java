package io.carebus.modelkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Reading a built model bundle: its card, and the certificate it is signed with. */
final class BundleFiles {

    private static final int MAX_CARD_BYTES = 4 * 1024 * 1024;

    private BundleFiles() {
    }

    /** The card the manifest's CareBus-Model header names. */
    static byte[] card(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            String name = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("CareBus-Model");
            JarEntry entry = name == null ? null : file.getJarEntry(name);
            if (entry == null) {
                throw new IOException(jar + " is not a model bundle (no card named by a CareBus-Model header)");
            }
            try (InputStream in = file.getInputStream(entry)) {
                byte[] bytes = in.readNBytes(MAX_CARD_BYTES + 1);
                if (bytes.length > MAX_CARD_BYTES) {
                    throw new IOException("the card of " + jar + " is larger than 4 MB");
                }
                return bytes;
            }
        }
    }

    /** The signer's certificate of the first signed entry, read with signature checking on; empty when unsigned. */
    static Optional<X509Certificate> signer(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            for (JarEntry entry : java.util.Collections.list(file.entries())) {
                if (entry.isDirectory() || entry.getName().toUpperCase(java.util.Locale.ROOT).startsWith("META-INF/")) {
                    continue;
                }
                try (InputStream in = file.getInputStream(entry)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (SecurityException e) {
                    return Optional.empty(); // tampered: the appliance's check says so
                }
                CodeSigner[] signers = entry.getCodeSigners();
                if (signers != null && signers.length > 0) {
                    return Optional.of((X509Certificate) signers[0].getSignerCertPath().getCertificates().get(0));
                }
            }
        }
        return Optional.empty();
    }
}
