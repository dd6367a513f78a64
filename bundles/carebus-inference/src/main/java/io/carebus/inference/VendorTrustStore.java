package io.carebus.inference;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The vendor trust store of model bundles (etc/carebus-model-trust.p12): which vendors' signatures the appliance
 * accepts. Adding a vendor is an administrator's act: callers check the role, the store audits it with the actor.
 */
public interface VendorTrustStore {

    /**
     * Adds {@code certificate} under {@code alias}, writes the store atomically and checks bundles arriving from now
     * on against it. Returns the certificate's subject and SHA-256 fingerprint.
     *
     * @throws IllegalArgumentException when the alias is taken or the certificate is not valid now
     */
    String trust(String alias, X509Certificate certificate, String actor) throws Exception;

    /** The trusted certificates by alias, as "alias: subject (sha256 fingerprint)". */
    List<String> vendors() throws Exception;
}
