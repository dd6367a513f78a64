package io.carebus.security.internal;

import io.carebus.api.security.AuthenticatedUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.context.ServletContextHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code carebus} servlet context (OSGi HTTP Whiteboard, served by Pax Web): {@code /api}, {@code /fhir},
 * {@code /dicomweb}, {@code /metrics} and the console select it, and {@link #handleSecurity} logs each request in
 * (HTTP Basic against the throttled Karaf JAAS realm) and applies {@link AccessPolicy} before any servlet runs. A
 * servlet finds the {@link AuthenticatedUser} as a request attribute and never answers 401 or 403 itself.
 */
@Component(service = ServletContextHelper.class, configurationPid = "io.carebus.security", property = {
        "osgi.http.whiteboard.context.name=" + CareBusServletContext.NAME,
        "osgi.http.whiteboard.context.path=/"})
public class CareBusServletContext extends ServletContextHelper {

    static final String NAME = "carebus";
    private static final Logger LOG = LoggerFactory.getLogger(CareBusServletContext.class);

    private final JaasLogin login;
    private final boolean metricsFromLoopback;

    @Activate
    public CareBusServletContext(SecurityConfig config, @Reference LoginGuard guard) {
        this.login = new JaasLogin(config.jaas_realm(), guard.throttle(), Duration.ofSeconds(Math.max(0, config.login_cache_seconds())),
                Clock.systemUTC());
        this.metricsFromLoopback = config.metrics_anonymous_loopback();
    }

    @Override
    public boolean handleSecurity(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        AccessPolicy.Access access = AccessPolicy.access(req.getMethod(), path);
        if (access.anonymous() || anonymousScrape(req, path)) {
            return true;
        }
        Optional<BasicCredentials> credentials = BasicCredentials.parse(req.getHeader("Authorization"));
        if (credentials.isEmpty()) {
            if (access.optional()) {
                return true;
            }
            return deny(req, resp, 401, "login", "authentication required: HTTP Basic credentials of a user with a CareBus role");
        }
        JaasLogin.Outcome outcome = login.login(credentials.get().user(), credentials.get().password(), req.getRemoteAddr());
        if (outcome instanceof JaasLogin.Locked locked) {
            resp.setHeader("Retry-After", Long.toString(Math.max(1, locked.retryAfter().toSeconds())));
            return deny(req, resp, 429, "throttled", "too many failed logins; retry later");
        }
        if (!(outcome instanceof JaasLogin.Accepted accepted)) {
            return deny(req, resp, 401, "login", "authentication required: HTTP Basic credentials of a user with a CareBus role");
        }
        AuthenticatedUser user = accepted.user();
        if (user.roles().isEmpty()) {
            return deny(req, resp, 403, "forbidden", "user " + user.name() + " holds no CareBus role");
        }
        if (!access.optional() && Collections.disjoint(user.roles(), access.roles())) {
            return deny(req, resp, 403, "forbidden", access.why());
        }
        req.setAttribute(AuthenticatedUser.REQUEST_ATTRIBUTE, user);
        req.setAttribute(REMOTE_USER, user.name());
        req.setAttribute(AUTHENTICATION_TYPE, HttpServletRequest.BASIC_AUTH);
        return true;
    }

    /** A Prometheus on this machine, when configured: {@code /metrics} from a literal loopback address, no credentials. */
    private boolean anonymousScrape(HttpServletRequest req, String path) {
        return metricsFromLoopback && path.equals("/metrics") && req.getHeader("Authorization") == null
                && ClientAddresses.isLoopbackLiteral(req.getRemoteAddr());
    }

    /** The decoded, normalised path within this context (the container resolved dot segments already). */
    static String path(HttpServletRequest req) {
        String servletPath = Optional.ofNullable(req.getServletPath()).orElse("");
        String info = Optional.ofNullable(req.getPathInfo()).orElse("");
        String path = servletPath + info;
        return path.isEmpty() ? "/" : path;
    }

    /**
     * The refusal in the caller's language: an OperationOutcome for {@code /fhir}, JSON elsewhere. The texts are this
     * class's own constants and the user name the caller sent back to it, JSON-escaped.
     */
    private static boolean deny(HttpServletRequest req, HttpServletResponse resp, int status, String code, String message)
            throws IOException {
        if (status == 401) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"CareBus\", charset=\"UTF-8\"");
        }
        resp.setHeader("Cache-Control", "no-store");
        String text = Json.quote(message);
        String body;
        if (path(req).startsWith("/fhir")) {
            resp.setContentType("application/fhir+json");
            body = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\""
                    + code + "\",\"diagnostics\":" + text + "}]}";
        } else {
            resp.setContentType("application/json");
            body = "{\"error\":" + text + "}";
        }
        resp.setStatus(status);
        resp.setCharacterEncoding("UTF-8");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
        // Committed here: Pax Web answers an uncommitted refusal with its own 403 error page, which turned every 401
        // and 429 into a 403 (seen in the first IT run).
        resp.flushBuffer();
        LOG.debug("{} {} -> {}", req.getMethod(), path(req), status);
        return false;
    }
}
