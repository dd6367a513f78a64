package io.carebus.testehr;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import com.nimbusds.jose.jwk.JWKSet;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The test EHR as a process: HAPI FHIR's JPA server (on in-memory H2) at {@code /tenant-a/fhir/r4}, a SMART Backend
 * Services token endpoint at {@code /oauth2/token}, and test-only control paths: {@code /control/clients} (PUT a JWKS,
 * with {@code ?lifetime=seconds}) registers the engine's keys; {@code /control/tokens} (GET) tells how many tokens were
 * issued and which assertions were refused, (DELETE) revokes every token issued. FHIR writes need a bearer token from the endpoint;
 * reads are open, so tests can look at what arrived. Listens on 127.0.0.1 only. Prints {@code READY <port>} on standard
 * output once it serves requests, and stops when its standard input closes (its parent is gone).
 */
public final class TestEhrServer {

    public static final String FHIR_PATH = "/tenant-a/fhir/r4";

    private TestEhrServer() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        int requestedPort = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(requestedPort);
        jetty.addConnector(connector);
        int[] port = new int[1];
        SmartTokenEndpoint tokens = new SmartTokenEndpoint(() -> "http://127.0.0.1:" + port[0] + "/oauth2/token");

        AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext(JpaEhrConfig.class);
        FhirContext fhir = spring.getBean(FhirContext.class);
        RestfulServer server = new RestfulServer(fhir);
        server.registerProviders(spring.getBean(ResourceProviderFactory.class).createProviders());
        server.registerProvider(spring.getBean(JpaSystemProvider.class));
        server.setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));
        server.setDefaultResponseEncoding(ca.uhn.fhir.rest.api.EncodingEnum.JSON);
        spring.getBean(JpaStorageSettings.class);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(server), FHIR_PATH + "/*");
        context.addFilter(new FilterHolder(new BearerGate(tokens)), FHIR_PATH + "/*", EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(tokens), "/oauth2/token");
        context.addServlet(new ServletHolder(new ClientRegistration(tokens)), "/control/clients");
        context.addServlet(new ServletHolder(new TokenControl(tokens)), "/control/tokens");
        jetty.setHandler(context);
        jetty.start();
        port[0] = connector.getLocalPort();
        System.out.println("READY " + port[0] + " " + (System.nanoTime() - started) / 1_000_000 + "ms");
        System.out.flush();
        // The parent holds our standard input: when it exits (or crashes) the pipe closes and so do we.
        while (System.in.read() >= 0) {
            // ignore
        }
        jetty.stop();
        spring.close();
        System.exit(0);
    }

    /** FHIR writes need a token the endpoint issued; reads and the capability statement are open. */
    static final class BearerGate implements Filter {
        private final SmartTokenEndpoint tokens;

        BearerGate(SmartTokenEndpoint tokens) {
            this.tokens = tokens;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, jakarta.servlet.ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            if (!"GET".equals(http.getMethod()) && !tokens.valid(http.getHeader("Authorization"))) {
                HttpServletResponse answer = (HttpServletResponse) response;
                answer.setStatus(401);
                answer.setHeader("WWW-Authenticate", "Bearer");
                answer.setContentType("application/fhir+json");
                answer.getWriter().write("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"login\","
                        + "\"diagnostics\":\"bearer token required\"}]}");
                return;
            }
            chain.doFilter(request, response);
        }
    }

    /** Test-only: GET says "issued N" and one "refused: why" line per refusal; DELETE revokes every token. */
    static final class TokenControl extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient SmartTokenEndpoint tokens;

        TokenControl(SmartTokenEndpoint tokens) {
            this.tokens = tokens;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            StringBuilder b = new StringBuilder("issued ").append(tokens.tokensIssued.get()).append('\n');
            synchronized (tokens.refusals) {
                tokens.refusals.forEach(r -> b.append("refused: ").append(r.replace('\n', ' ')).append('\n'));
            }
            resp.getWriter().write(b.toString());
        }

        @Override
        protected void doDelete(HttpServletRequest req, HttpServletResponse resp) {
            tokens.revokeAll();
            resp.setStatus(204);
        }
    }

    /** Test-only: PUT the engine's public JWKS; {@code ?lifetime=} sets the token lifetime in seconds (default 300). */
    static final class ClientRegistration extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient SmartTokenEndpoint tokens;

        ClientRegistration(SmartTokenEndpoint tokens) {
            this.tokens = tokens;
        }

        @Override
        protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            try {
                JWKSet keys = JWKSet.parse(new String(req.getInputStream().readNBytes(256 * 1024), StandardCharsets.UTF_8));
                String lifetime = req.getParameter("lifetime");
                tokens.register(keys, lifetime == null ? 300 : Long.parseLong(lifetime));
                resp.setStatus(204);
            } catch (Exception e) {
                resp.setStatus(400);
                resp.getWriter().write(String.valueOf(e.getMessage()));
            }
        }
    }
}
