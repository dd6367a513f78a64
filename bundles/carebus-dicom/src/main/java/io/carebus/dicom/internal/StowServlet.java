package io.carebus.dicom.internal;

import io.carebus.api.security.AuthenticatedUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code POST /dicomweb/studies} and {@code POST /dicomweb/studies/<study UID>}: STOW-RS on the appliance's HTTP
 * port, in the {@code carebus} servlet context, which logs users in and checks their role (engineer or admin) first
 * (carebus-security). Bodies are spooled to disk ({@link StowSpool}):
 * larger than {@code stow.max.mb} get 413 (at once when Content-Length says so); more than {@code stow.max.concurrent}
 * requests at once get 503 with Retry-After.
 */
@Component(service = Servlet.class, configurationPid = "io.carebus.dicom", property = {
        "osgi.http.whiteboard.servlet.pattern=/dicomweb/*",
        "osgi.http.whiteboard.servlet.name=carebus-dicomweb",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=carebus)"})
public class StowServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient StowIntake intake;
    private final transient StowSpool spool;

    @Activate
    public StowServlet(DicomConfig config, @Reference DicomGateway gateway) {
        this.intake = new StowIntake(gateway.instances(), gateway.policy());
        Path incoming = gateway.instances().root().resolve("incoming");
        this.spool = new StowSpool(incoming, Math.max(1, (long) config.stow_max_mb()) * 1024 * 1024,
                config.stow_max_concurrent(), config.min_free_mb() * 1024 * 1024,
                () -> Files.getFileStore(incoming).getUsableSpace());
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = Optional.ofNullable(req.getPathInfo()).orElse("/");
        String[] parts = path.substring(1).split("/", -1);
        if (!parts[0].equals("studies") || parts.length > 2) {
            send(resp, 404, "application/json", "{\"message\":\"this appliance serves STOW-RS at /dicomweb/studies only\"}");
            return;
        }
        if (!"POST".equals(req.getMethod())) {
            resp.setHeader("Allow", "POST");
            send(resp, 405, "application/json", "{\"message\":\"only POST (STOW-RS)\"}");
            return;
        }
        if (!(req.getAttribute(AuthenticatedUser.REQUEST_ATTRIBUTE) instanceof AuthenticatedUser user)) {
            // Not reachable through the carebus context (it lets no one store without a login); fails closed elsewhere.
            send(resp, 401, "application/json", "{\"message\":\"authentication required\"}");
            return;
        }
        if (req.getContentLengthLong() > spool.maxBytes()) {
            tooLarge(resp);
            return;
        }
        if (!spool.tryEnter()) {
            resp.setHeader("Retry-After", "5");
            send(resp, 503, "application/json", "{\"message\":\"too many STOW-RS requests at once; retry later\"}");
            return;
        }
        try {
            Path body;
            try {
                body = spool.spool(req.getInputStream());
            } catch (StowSpool.TooLargeException e) {
                tooLarge(resp);
                return;
            } catch (StowSpool.StorageFullException e) {
                resp.setHeader("Retry-After", "60");
                send(resp, 503, "application/json", "{\"message\":\"storage full on the receiving gateway\"}");
                return;
            }
            StowIntake.Answer answer;
            try {
                answer = intake.handle(body, req.getContentType(), req.getRemoteAddr(), user.name(),
                        parts.length == 2 && !parts[1].isEmpty() ? parts[1] : null);
            } finally {
                Files.deleteIfExists(body);
            }
            resp.setStatus(answer.status());
            resp.setContentType(answer.contentType());
            resp.getOutputStream().write(answer.body());
        } finally {
            spool.leave();
        }
    }

    private void tooLarge(HttpServletResponse resp) throws IOException {
        // The rest of the body is not read: closing is the only way to stop it.
        resp.setHeader("Connection", "close");
        send(resp, 413, "application/json", "{\"message\":\"request larger than " + spool.maxBytes()
                + " bytes; send fewer instances per request\"}");
    }

    private static void send(HttpServletResponse resp, int status, String type, String body) throws IOException {
        resp.setStatus(status);
        resp.setContentType(type);
        resp.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
