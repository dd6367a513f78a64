package io.carebus.fhir.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;

/**
 * The engine's signing key for SMART Backend Services client assertions, from a PKCS12 key store: an RSA key signs
 * RS384, an EC P-384 key ES384 (the two algorithms SMART requires EHRs to support). Its public half is published
 * as a JWK with the same {@code kid}.
 */
public record SmartKey(JWSAlgorithm algorithm, String kid, PrivateKey privateKey, JWK publicJwk) {

    public static SmartKey load(Path keyStore, char[] password, String alias, String kid) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        if (!store.isKeyEntry(alias)) {
            throw new GeneralSecurityException("key store " + keyStore.getFileName() + " has no private key under alias " + alias);
        }
        PrivateKey key = (PrivateKey) store.getKey(alias, password);
        Certificate cert = store.getCertificate(alias);
        try {
            if (key instanceof RSAPrivateKey && cert.getPublicKey() instanceof RSAPublicKey pub) {
                if (pub.getModulus().bitLength() < 2048) {
                    throw new GeneralSecurityException("RSA signing keys must have at least 2048 bits");
                }
                RSAKey jwk = new RSAKey.Builder(pub).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS384).build();
                String id = kid == null || kid.isBlank() ? jwk.computeThumbprint().toString() : kid;
                return new SmartKey(JWSAlgorithm.RS384, id, key, new RSAKey.Builder(jwk).keyID(id).build());
            }
            if (key instanceof ECPrivateKey && cert.getPublicKey() instanceof ECPublicKey pub) {
                if (!Curve.P_384.equals(Curve.forECParameterSpec(pub.getParams()))) {
                    throw new GeneralSecurityException("EC signing keys must be on P-384 (ES384)");
                }
                ECKey jwk = new ECKey.Builder(Curve.P_384, pub).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES384).build();
                String id = kid == null || kid.isBlank() ? jwk.computeThumbprint().toString() : kid;
                return new SmartKey(JWSAlgorithm.ES384, id, key, new ECKey.Builder(jwk).keyID(id).build());
            }
        } catch (JOSEException e) {
            throw new GeneralSecurityException("cannot describe the key as a JWK: " + e.getMessage(), e);
        }
        throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm() + ": use RSA (RS384) or EC P-384 (ES384)");
    }

    JWSSigner signer() throws JOSEException {
        return algorithm.equals(JWSAlgorithm.ES384) ? new ECDSASigner((ECPrivateKey) privateKey) : new RSASSASigner(privateKey);
    }

    @Override
    public String toString() {
        return "SmartKey[" + algorithm + ", kid=" + kid + "]";
    }
}
