package io.carebus.bench.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import java.io.IOException;
import java.util.Map;

/**
 * The peer of the benchmark: HAPI's own MLLP server (SimpleServer via HapiContext.newServer) answering AA to every
 * message after parsing it, storing nothing. What CareBus adds (validation, durable store, group commit) is what the
 * ratio measures.
 */
public final class BareHapiServer {

    private BareHapiServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HapiContext context = new DefaultHapiContext();
        // The same ACK id generator cost as CareBus (NanoTimeGenerator sleeps 1 ms per id; the default writes a file).
        java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
        context.getParserConfiguration().setIdGenerator(() -> "H" + ids.incrementAndGet());
        HL7Service server = context.newServer(port, false);
        server.registerApplication("*", "*", new ReceivingApplication<Message>() {
            @Override
            public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
                try {
                    return message.generateACK();
                } catch (IOException e) {
                    throw new HL7Exception(e);
                }
            }

            @Override
            public boolean canProcess(Message message) {
                return true;
            }
        });
        server.startAndWait();
        System.out.println("bare HAPI server listening on " + port);
        Thread.currentThread().join();
    }
}
