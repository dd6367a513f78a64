package io.carebus.dicom.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The SSL context of the SCP (and of TLS destinations): a key store, and for mutual TLS a trust store of peer CAs. */
final class DicomTls {

    private DicomTls() {
    }

    static SSLContext context(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        try {
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                KeyStore store = load(keyStore, keyStorePassword);
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, keyStorePassword.toCharArray());
            }
            TrustManagerFactory trust = null;
            if (trustStore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, trustStorePassword));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("DICOM TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
        if (!Files.isReadable(file)) {
            throw new IOException("key store " + file + " is missing or not readable");
        }
        // PKCS12 or JKS: KeyStore.getInstance(File, ...) tells them apart by content.
        try (InputStream ignored = Files.newInputStream(file)) {
            return KeyStore.getInstance(file.toFile(), password.toCharArray());
        }
    }
}
