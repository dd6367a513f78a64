package io.carebus.hl7.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.camel.support.jsse.ClientAuthentication;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SSLContextServerParameters;
import org.apache.camel.support.jsse.SecureSocketProtocolsParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * The TLS settings of one MLLP listener as Camel {@code SSLContextParameters}: the listener's key store, and for mutual
 * TLS a trust store of the client CAs and {@code tls.client.auth = REQUIRE}. Missing files fail the listener's start
 * with a message that names them, rather than a handshake error later.
 */
record MllpTls(Path keyStore, String keyStorePassword, String keyStoreType, Path trustStore, String trustStorePassword,
               ClientAuthentication clientAuth, List<String> protocols) {

    static MllpTls of(ListenerConfig config, Path etc) {
        ClientAuthentication auth;
        try {
            auth = ClientAuthentication.valueOf(config.tls_client_auth().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls.client.auth must be NONE, WANT or REQUIRE, was " + config.tls_client_auth());
        }
        String trust = config.tls_truststore().strip();
        return new MllpTls(etc.resolve(config.tls_keystore().strip()), config.tls_keystore_password(),
                config.tls_keystore_type(), trust.isEmpty() ? null : etc.resolve(trust), config.tls_truststore_password(),
                auth, MllpListener.values(config.tls_protocols()).stream().toList());
    }

    SSLContextParameters parameters() {
        if (!Files.isReadable(keyStore)) {
            throw new IllegalArgumentException("TLS key store " + keyStore + " is missing or not readable");
        }
        if (trustStore != null && !Files.isReadable(trustStore)) {
            throw new IllegalArgumentException("TLS trust store " + trustStore + " is missing or not readable");
        }
        if (clientAuth != ClientAuthentication.NONE && trustStore == null) {
            throw new IllegalArgumentException("mutual TLS (tls.client.auth = " + clientAuth + ") needs tls.truststore");
        }
        KeyStoreParameters keys = new KeyStoreParameters();
        keys.setResource(keyStore.toUri().toString());
        keys.setPassword(keyStorePassword);
        keys.setType(keyStoreType);
        KeyManagersParameters keyManagers = new KeyManagersParameters();
        keyManagers.setKeyStore(keys);
        keyManagers.setKeyPassword(keyStorePassword);

        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setKeyManagers(keyManagers);
        if (trustStore != null) {
            KeyStoreParameters trusted = new KeyStoreParameters();
            trusted.setResource(trustStore.toUri().toString());
            trusted.setPassword(trustStorePassword);
            trusted.setType(keyStoreType);
            TrustManagersParameters trustManagers = new TrustManagersParameters();
            trustManagers.setKeyStore(trusted);
            ssl.setTrustManagers(trustManagers);
        }
        SSLContextServerParameters server = new SSLContextServerParameters();
        server.setClientAuthentication(clientAuth.name());
        ssl.setServerParameters(server);
        SecureSocketProtocolsParameters versions = new SecureSocketProtocolsParameters();
        versions.setSecureSocketProtocol(protocols);
        ssl.setSecureSocketProtocols(versions);
        return ssl;
    }
}
