package io.carebus.audit.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;

/**
 * A HAPI FHIR plain server on Jetty that keeps AuditEvents in memory: PUT (update-as-create), read, and batch
 * Bundles, behind a bearer token. It can be told to answer the next requests 503 with Retry-After, as an overloaded
 * server does. Events without an agent are refused with 422, as a validating server refuses invalid resources.
 */
final class AuditEventFhirServer implements AutoCloseable {

    final Map<String, AuditEvent> events = new ConcurrentHashMap<>();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger unavailableFor = new AtomicInteger();
    private final Server jetty;
    private final String token;

    AuditEventFhirServer(FhirContext fhir, String token) throws Exception {
        this.token = token;
        RestfulServer server = new RestfulServer(fhir);
        server.setResourceProviders(new AuditEvents());
        server.registerProvider(new Batches());
        server.registerInterceptor(new Gate());
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(server), "/fhir/*");
        jetty.setHandler(context);
        jetty.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/fhir";
    }

    private MethodOutcome store(AuditEvent event, IdType id) {
        if (event.getAgent().isEmpty()) {
            throw new UnprocessableEntityException("AuditEvent.agent: minimum required = 1, but only found 0");
        }
        event.setId(id.getIdPart());
        boolean created = events.put(id.getIdPart(), event) == null;
        return new MethodOutcome(new IdType("AuditEvent", id.getIdPart(), "1"), created);
    }

    public final class AuditEvents implements IResourceProvider {
        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return AuditEvent.class;
        }

        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam AuditEvent event) {
            return store(event, id);
        }

        @Read
        public AuditEvent read(@IdParam IdType id) {
            AuditEvent event = events.get(id.getIdPart());
            if (event == null) {
                throw new ResourceNotFoundException(id);
            }
            return event;
        }
    }

    public final class Batches {
        @Transaction
        public Bundle batch(@TransactionParam Bundle request) {
            batches.incrementAndGet();
            Bundle response = new Bundle().setType(request.getType() == Bundle.BundleType.BATCH
                    ? Bundle.BundleType.BATCHRESPONSE : Bundle.BundleType.TRANSACTIONRESPONSE);
            for (Bundle.BundleEntryComponent entry : request.getEntry()) {
                Bundle.BundleEntryResponseComponent answer = response.addEntry().getResponse();
                try {
                    if (entry.getRequest().getMethod() != Bundle.HTTPVerb.PUT || !(entry.getResource() instanceof AuditEvent event)) {
                        throw new UnprocessableEntityException("only PUT of AuditEvent is supported here");
                    }
                    MethodOutcome outcome = store(event, new IdType(entry.getRequest().getUrl()));
                    answer.setStatus(Boolean.TRUE.equals(outcome.getCreated()) ? "201 Created" : "200 OK")
                            .setLocation(outcome.getId().getValue());
                } catch (UnprocessableEntityException e) {
                    answer.setStatus("422 Unprocessable Entity").setOutcome((org.hl7.fhir.r4.model.Resource) e.getOperationOutcome());
                }
            }
            return response;
        }
    }

    public final class Gate {
        @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
        public boolean check(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (unavailableFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                response.setStatus(503);
                response.setHeader("Retry-After", "1");
                response.getWriter().write("overloaded");
                return false;
            }
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                throw new AuthenticationException("bearer token required");
            }
            return true;
        }
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
