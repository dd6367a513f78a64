package io.carebus.inference.check;

import io.carebus.inference.internal.BundleValidation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The appliance's own checks of a model bundle jar, outside the appliance: the same inspector, card reader, ONNX
 * Runtime session checks, Grad-CAM head checks and self-tests the model-bundle extender runs, in the same order, on
 * the CPU. The only checks it cannot make are those that depend on what an appliance already holds (which signer
 * owns a model id, which versions are installed).
 */
public final class ModelBundleValidator {

    /** The appliance's default cap on what a bundle may inflate to (max.bundle.mb = 512). */
    public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;

    private final List<X509Certificate> trusted;
    private final boolean allowUnsigned;
    private final long maxBytes;

    /** Trusting {@code trusted} (the vendor trust store's certificates); unsigned jars pass only with {@code allowUnsigned}. */
    public ModelBundleValidator(List<X509Certificate> trusted, boolean allowUnsigned, long maxBytes) {
        this.trusted = List.copyOf(trusted);
        this.allowUnsigned = allowUnsigned;
        this.maxBytes = maxBytes;
    }

    /** Every certificate of a PKCS12 (or .jks) trust store such as etc/carebus-model-trust.p12. */
    public static List<X509Certificate> certificates(Path store, String password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance(store.toString().endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password.toCharArray());
        }
        List<X509Certificate> certs = new ArrayList<>();
        for (String alias : Collections.list(keyStore.aliases())) {
            if (keyStore.getCertificate(alias) instanceof X509Certificate c) {
                certs.add(c);
            }
        }
        return certs;
    }

    public ValidationReport validate(Path jar) {
        return BundleValidation.validate(jar, trusted, allowUnsigned, maxBytes);
    }
}
