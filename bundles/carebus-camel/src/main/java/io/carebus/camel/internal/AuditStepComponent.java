package io.carebus.camel.internal;

import io.carebus.api.audit.AuditAction;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code carebus-audit:<action>?detail=...}: an explicit audit record for a custom step, e.g.
 * {@code to: carebus-audit:export?detail=sent to the research archive}. The action is one of the audit actions
 * (receive, deid, infer, explain, emit, export, ...); the record names the route, the message and a hash of the body.
 */
final class AuditStepComponent extends DefaultComponent {

    private final RouteAuditing auditing;

    AuditStepComponent(RouteAuditing auditing) {
        this.auditing = auditing;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        AuditAction action;
        try {
            action = AuditAction.valueOf(remaining.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("carebus-audit:" + remaining + " names no audit action; one of "
                    + java.util.Arrays.toString(AuditAction.values()).toLowerCase(Locale.ROOT));
        }
        Object detail = parameters.remove("detail");
        return new StepEndpoint(uri, this, action, detail == null ? null : detail.toString());
    }

    private final class StepEndpoint extends DefaultEndpoint {
        private final AuditAction action;
        private final String detail;

        StepEndpoint(String uri, AuditStepComponent component, AuditAction action, String detail) {
            super(uri, component);
            this.action = action;
            this.detail = detail;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    auditing.record(exchange, action, null, detail);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("carebus-audit is a producer only (use it with to:)");
        }
    }
}
