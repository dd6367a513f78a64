package io.carebus.inference.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The vendors whose signatures the engine accepts: the certificates in the vendor trust store (etc/). A signer is
 * trusted when its certificate is in the store or chains to one in it (PKIX, validity checked at signing-check time;
 * no revocation lookups: the appliance often has no route to the internet, so revoking a vendor means removing it
 * from the store).
 */
final class VendorTrust {

    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final Set<X509Certificate> certificates = new HashSet<>();

    static VendorTrust load(Path store, String password) throws IOException, GeneralSecurityException {
        return new VendorTrust(io.carebus.inference.check.ModelBundleValidator.certificates(store, password));
    }

    static VendorTrust none() {
        return new VendorTrust(List.of());
    }

    VendorTrust(List<X509Certificate> trusted) {
        for (X509Certificate c : trusted) {
            certificates.add(c);
            anchors.add(new TrustAnchor(c, null));
        }
    }

    /**
     * SHA-256 of the CareBus demo vendor's certificate (models/demo-vendor). Its private key is published so anyone
     * can build the examples, so trusting it means trusting anyone.
     */
    static final String DEMO_VENDOR_SHA256 = "56007287da7145534c1e90590fefcc3e07b54cd783c9b28833a85c11acca85ca";

    boolean trustsDemoVendor() {
        return certificates.stream().anyMatch(c -> {
            try {
                return DEMO_VENDOR_SHA256.equals(ModelBundleInspector.sha256(c.getEncoded()));
            } catch (GeneralSecurityException e) {
                return false;
            }
        });
    }

    int size() {
        return certificates.size();
    }

    /** The signer's subject when trusted; a refusal naming the signer otherwise. */
    String check(X509Certificate[] chain) throws ModelRefusedException {
        X509Certificate leaf = chain[0];
        String subject = leaf.getSubjectX500Principal().getName();
        try {
            leaf.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new ModelRefusedException("signer certificate of " + subject + " is not valid now: " + e.getMessage());
        }
        if (certificates.contains(leaf)) {
            return subject;
        }
        if (anchors.isEmpty()) {
            throw new ModelRefusedException("untrusted signer " + subject + ": the vendor trust store is empty");
        }
        try {
            List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
            path.removeIf(certificates::contains); // the anchor itself is not part of a PKIX path
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return subject;
        } catch (GeneralSecurityException e) {
            throw new ModelRefusedException("untrusted signer " + subject + ": " + e.getMessage());
        }
    }
}
