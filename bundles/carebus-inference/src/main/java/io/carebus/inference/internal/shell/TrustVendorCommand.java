package io.carebus.inference.internal.shell;

import io.carebus.inference.VendorTrustStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * {@code carebus:trust-vendor <alias> <certificate.pem>} adds a model vendor's certificate (from {@code carebus-model
 * keys}) to etc/carebus-model-trust.p12; bundles signed with the vendor's key are accepted from then on. Admin only
 * (etc/org.apache.karaf.command.acl.carebus.cfg); audited as a configuration change with the shell user.
 * Without arguments it lists the trusted vendors.
 */
@Service
@Command(scope = "carebus", name = "trust-vendor", description = "Adds a model vendor's certificate to the vendor trust store")
public class TrustVendorCommand implements Action {

    @Reference
    VendorTrustStore trust;

    @Reference
    Session session;

    @Argument(index = 0, name = "alias", description = "name of the entry, e.g. the vendor's id")
    String alias;

    @Argument(index = 1, name = "certificate", description = "the vendor's certificate, PEM or DER (vendor.pem)")
    String certificate;

    @Override
    public Object execute() throws Exception {
        if (alias == null) {
            trust.vendors().forEach(System.out::println);
            return null;
        }
        if (certificate == null) {
            throw new IllegalArgumentException("usage: carebus:trust-vendor <alias> <certificate.pem>");
        }
        Path file = Path.of(certificate);
        if (Files.size(file) > 64 * 1024) {
            throw new IllegalArgumentException(certificate + " is larger than a certificate (64 KB)");
        }
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(file)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        Object user = session.get("USER");
        System.out.println("trusted " + alias + ": " + trust.trust(alias, cert, "shell:" + (user == null ? "unknown" : user)));
        return null;
    }
}
