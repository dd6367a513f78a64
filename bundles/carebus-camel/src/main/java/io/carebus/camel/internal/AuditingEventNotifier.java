package io.carebus.camel.internal;

import io.carebus.api.audit.AuditAction;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Audits the route steps the design names without route authors having to remember it: every exchange sent to an
 * endpoint that leaves the engine, or to a CareBus step, is recorded once the send has finished (with its outcome).
 */
final class AuditingEventNotifier extends EventNotifierSupport {

    private final RouteAuditing auditing;

    AuditingEventNotifier(RouteAuditing auditing) {
        this.auditing = auditing;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreStepEvents(true);
    }

    /**
     * Camel times a send, and so announces it as sent, only when a notifier took its "sending" event: both are taken
     * for audited endpoints, and only "sent" (which carries the outcome) is recorded.
     */
    @Override
    public boolean isEnabled(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending) {
            return RouteAuditing.actionFor(sending.getEndpoint()) != null;
        }
        return event instanceof ExchangeSentEvent sent && RouteAuditing.actionFor(sent.getEndpoint()) != null;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof ExchangeSentEvent sent)) {
            return;
        }
        AuditAction action = RouteAuditing.actionFor(sent.getEndpoint());
        auditing.record(sent.getExchange(), action, RouteAuditing.withoutOptions(sent.getEndpoint().getEndpointUri()),
                sent.getTimeTaken() + " ms");
    }
}
