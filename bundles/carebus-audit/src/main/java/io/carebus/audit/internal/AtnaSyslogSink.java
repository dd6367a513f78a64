package io.carebus.audit.internal;

import io.carebus.audit.AuditEntry;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.openehealth.ipf.commons.audit.AuditMetadataProvider;
import org.openehealth.ipf.commons.audit.DefaultAuditContext;
import org.openehealth.ipf.commons.audit.DefaultAuditMetadataProvider;
import org.openehealth.ipf.commons.audit.marshal.dicom.Current;
import org.openehealth.ipf.commons.audit.protocol.AuditTransmissionProtocol;
import org.openehealth.ipf.commons.audit.protocol.TLSSyslogSenderImpl;
import org.openehealth.ipf.commons.audit.protocol.UDPSyslogSenderImpl;

/**
 * Sends audit records to an ATNA audit record repository with IPF's syslog senders: DICOM audit message XML in
 * RFC 5424 messages, over TLS with octet-counted framing (RFC 5425) or over UDP (RFC 5426). IPF's context is used
 * only as the address holder; the messages go straight to the sender, so a failure surfaces here (and the cursor
 * stays put) instead of going to IPF's log-and-forget exception handler.
 */
final class AtnaSyslogSink implements ExportSink {

    private final DefaultAuditContext context = new DefaultAuditContext();
    private final AuditTransmissionProtocol sender;
    private final AuditMetadataProvider metadata;
    private final String destination;

    AtnaSyslogSink(String host, int port, String transport, SSLSocketFactory tls) {
        context.setAuditRepositoryHost(host);
        context.setAuditRepositoryPort(port);
        context.setAuditSourceId("CareBus");
        this.sender = switch (transport.toUpperCase(java.util.Locale.ROOT)) {
            case "TLS" -> new TLSSyslogSenderImpl(tls, TLSSyslogSenderImpl.SocketTestPolicy.TEST_BEFORE_WRITE);
            case "UDP" -> new UDPSyslogSenderImpl();
            default -> throw new IllegalArgumentException("atna.transport must be TLS or UDP, was " + transport);
        };
        context.setAuditRepositoryTransport(sender.getTransportName());
        context.setAuditTransmissionProtocol(sender);
        this.metadata = new DefaultAuditMetadataProvider(localHostName(), processId(), "CareBus", null);
        this.destination = "atna:" + host + ":" + port;
    }

    @Override
    public String destination() {
        return destination;
    }

    @Override
    public int send(List<AuditEntry> entries) throws Exception {
        for (AuditEntry entry : entries) {
            sender.send(context, metadata, Current.toString(AtnaMessages.map(entry), false));
        }
        return 0;
    }

    @Override
    public void close() {
        sender.shutdown();
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String processId() {
        return Long.toString(ManagementFactory.getRuntimeMXBean().getPid());
    }
}
