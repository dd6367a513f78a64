package io.carebus.hl7.internal;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.carebus.api.store.MessageStatus;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Enhanced-mode application acknowledgements (HL7 table 0155 in MSH-16): after the route has run, an ACK with AA
 * (processed or filtered) or AE (the route failed) goes to the sender's own MLLP listener, the Camel endpoint its
 * CareBus listener names in {@code application.ack.endpoint}. Original-mode messages (MSH-15 and MSH-16 empty) got
 * their answer at intake; an empty MSH-16 in enhanced mode is taken as NE. Delivery is at least once: a message that
 * is processed again after a crash sends its application ACK again.
 */
final class ApplicationAcks {

    private final Map<String, String> endpoints = new ConcurrentHashMap<>();
    private final ProducerTemplate producer;

    ApplicationAcks(ProducerTemplate producer) {
        this.producer = producer;
    }

    void register(String listener, String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            endpoints.remove(listener);
        } else {
            endpoints.put(listener, endpoint.strip());
        }
    }

    void unregister(String listener) {
        endpoints.remove(listener);
    }

    /** Sends the application ACK the message asked for, if any; returns the history note, or null when none was due. */
    String afterProcessing(String listener, Message message, MessageStatus outcome) {
        String accept;
        String application;
        try {
            Terser terser = new Terser(message);
            accept = terser.get("/MSH-15");
            application = terser.get("/MSH-16");
        } catch (HL7Exception e) {
            return null;
        }
        if (isEmpty(accept) && isEmpty(application)) {
            return null;
        }
        boolean success = outcome != MessageStatus.ERROR;
        String wanted = isEmpty(application) ? "NE" : application.strip().toUpperCase(Locale.ROOT);
        boolean due = switch (wanted) {
            case "AL" -> true;
            case "ER" -> !success;
            case "SU" -> success;
            default -> false;
        };
        if (!due) {
            return null;
        }
        String code = success ? "AA" : "AE";
        String endpoint = endpoints.get(listener);
        if (endpoint == null) {
            return "application ACK " + code + " requested (MSH-16 " + wanted + ") but listener " + listener
                    + " has no application.ack.endpoint";
        }
        try {
            Message ack = message.generateACK(success ? AcknowledgmentCode.AA : AcknowledgmentCode.AE,
                    success ? null : new HL7Exception("processing failed", ErrorCode.APPLICATION_INTERNAL_ERROR));
            Exchange sent = producer.send(endpoint, e -> e.getMessage().setBody(ack.encode().getBytes(
                    java.nio.charset.StandardCharsets.ISO_8859_1)));
            if (sent.getException() != null) {
                return "application ACK " + code + " to " + endpoint + " failed: " + sent.getException().getClass().getSimpleName();
            }
            return "application ACK " + code + " sent to " + endpoint;
        } catch (HL7Exception | java.io.IOException | RuntimeException e) {
            return "application ACK " + code + " could not be built: " + e.getClass().getSimpleName();
        }
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isBlank();
    }
}
