package io.carebus.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The vendor trust store file: a certificate added under an alias, written to a temporary file beside it and moved
 * over it atomically (a crash never leaves half a store), owner-only where the file system has POSIX permissions.
 */
final class TrustStoreFile {

    private TrustStoreFile() {
    }

    /** Adds the certificate; returns "subject (sha256 fingerprint)". */
    static String add(Path store, char[] password, String alias, X509Certificate certificate) throws IOException, GeneralSecurityException {
        if (alias == null || !alias.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("alias must be letters, digits, '.', '_' or '-' (at most 64): " + alias);
        }
        certificate.checkValidity();
        KeyStore keyStore = load(store, password);
        if (keyStore.containsAlias(alias)) {
            throw new IllegalArgumentException("the vendor trust store already has an entry " + alias);
        }
        for (String a : Collections.list(keyStore.aliases())) {
            if (certificate.equals(keyStore.getCertificate(a))) {
                throw new IllegalArgumentException("the vendor trust store already trusts this certificate as " + a);
            }
        }
        keyStore.setCertificateEntry(alias, certificate);
        Path parent = store.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".carebus-model-trust-", ".p12");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                keyStore.store(out, password);
            }
            try {
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the folder's permissions apply
            }
            Files.move(temp, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return describe(certificate);
    }

    static List<String> list(Path store, char[] password) throws IOException, GeneralSecurityException {
        List<String> vendors = new ArrayList<>();
        if (!Files.exists(store)) {
            return vendors;
        }
        KeyStore keyStore = load(store, password);
        for (String a : Collections.list(keyStore.aliases())) {
            if (keyStore.getCertificate(a) instanceof X509Certificate c) {
                vendors.add(a + ": " + describe(c));
            }
        }
        return vendors;
    }

    static String describe(X509Certificate c) throws GeneralSecurityException {
        return c.getSubjectX500Principal().getName() + " (sha256 " + ModelBundleInspector.sha256(c.getEncoded()) + ")";
    }

    private static KeyStore load(Path store, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        if (Files.exists(store)) {
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, password);
            }
        } else {
            keyStore.load(null, password);
        }
        return keyStore;
    }
}
