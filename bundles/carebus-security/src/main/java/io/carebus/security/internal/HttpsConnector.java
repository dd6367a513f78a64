package io.carebus.security.internal;

import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS on {@code https.port} (8443), TLS 1.3 and 1.2 only, serving the same servlets as plain HTTP. Pax Web binds
 * every connector it makes to one list of addresses, and plain HTTP must stay on loopback; so this adds its own
 * connector to Pax Web's Jetty server: it is a Jetty {@link Handler} service (Pax Web's whiteboard for Jetty handlers
 * hands it the server) that handles nothing and, while started, keeps the HTTPS connector on the server. Also the
 * health indicator {@code https}: port and the certificate's SHA-256 fingerprint (details need a login).
 */
@Component(service = {Handler.class, HealthIndicator.class}, configurationPid = "io.carebus.security")
public class HttpsConnector extends AbstractHandler implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(HttpsConnector.class);

    private final SecurityConfig config;
    private final HttpsKeystore.Loaded keystore;
    private final String failure;
    private volatile ServerConnector connector;
    private volatile String startFailure;

    @Activate
    public HttpsConnector(SecurityConfig config) {
        this.config = config;
        HttpsKeystore.Loaded loaded = null;
        String problem = null;
        if (config.https_enabled()) {
            try {
                loaded = HttpsKeystore.load(config.https_keystore(), config.https_keystore_type(), config.https_keystore_password(),
                        Path.of(System.getProperty("karaf.data", "data")), HttpsKeystore.hostnames(config.https_hostnames()));
                LOG.info("HTTPS on port {} with {} certificate {}, SHA-256 fingerprint {}", config.https_port(),
                        loaded.generated() ? "the generated self-signed" : "the configured",
                        loaded.certificate().getSubjectX500Principal().getName(), loaded.fingerprint());
            } catch (Exception e) {
                problem = "no HTTPS: the certificate could not be loaded or generated: " + e.getMessage();
                LOG.error("{}", problem);
            } 
        }
        this.keystore = loaded;
        this.failure = problem;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        Server server = getServer();
        if (keystore == null || server == null) {
            return;
        }
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore.path().toString());
        tls.setKeyStoreType(keystore.type());
        tls.setKeyStorePassword(keystore.password());
        tls.setKeyManagerPassword(keystore.password());
        tls.setIncludeProtocols(List.of(config.https_protocols().split("\\s*,\\s*")).stream().map(String::strip).toArray(String[]::new));
        HttpConfiguration http = new HttpConfiguration();
        http.setSecureScheme("https");
        http.setSecurePort(config.https_port());
        http.setSendServerVersion(false);
        // No SNI host check: clients reach the appliance by IP address as often as by a name on the certificate.
        http.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector https = new ServerConnector(server, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(http));
        https.setName("carebus-https");
        https.setHost(config.https_host());
        https.setPort(config.https_port());
        server.addConnector(https);
        try {
            if (!https.isStarted()) {
                https.start();
            }
        } catch (Exception e) {
            // A taken port must not take plain HTTP down with it: health says DEGRADED and names the cause.
            server.removeConnector(https);
            startFailure = "HTTPS could not listen on " + config.https_host() + ":" + config.https_port() + ": " + e;
            LOG.error("{}", startFailure);
            return;
        }
        startFailure = null;
        connector = https;
        LOG.info("HTTPS listening on {}:{}", config.https_host(), https.getLocalPort());
    }

    @Override
    protected void doStop() throws Exception {
        ServerConnector https = connector;
        connector = null;
        if (https != null) {
            https.stop();
            if (getServer() != null) {
                getServer().removeConnector(https);
            }
        }
        super.doStop();
    }

    /** Handles nothing: requests on every connector go on to Pax Web's contexts. */
    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response) {
    }

    @Override
    public String name() {
        return "https";
    }

    @Override
    public HealthReport report() {
        Map<String, Object> details = new LinkedHashMap<>();
        if (!config.https_enabled()) {
            details.put("enabled", false);
            return HealthReport.of(List.of(), List.of("HTTPS is switched off (https.enabled = false)"), details);
        }
        details.put("port", config.https_port());
        if (keystore != null) {
            details.put("certificate", keystore.certificate().getSubjectX500Principal().getName());
            details.put("fingerprintSha256", keystore.fingerprint());
            details.put("generated", keystore.generated());
            details.put("notAfter", keystore.certificate().getNotAfter().toInstant().toString());
        }
        ServerConnector https = connector;
        details.put("listening", https != null && https.isStarted());
        if (failure != null) {
            return HealthReport.of(List.of(), List.of(failure), details);
        }
        if (https == null || !https.isStarted()) {
            String why = startFailure;
            return HealthReport.of(List.of(), List.of(why != null ? why : "HTTPS is not listening on port " + config.https_port()), details);
        }
        return HealthReport.of(List.of(), List.of(), details);
    }
}
