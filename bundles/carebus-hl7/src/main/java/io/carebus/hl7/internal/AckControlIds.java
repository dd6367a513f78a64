package io.carebus.hl7.internal;

import ca.uhn.hl7v2.util.idgenerator.IDGenerator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MSH-10 of the ACKs CareBus sends: unique per start (start time) and per ACK (counter), at most 20 characters.
 * HAPI's own generators either keep a counter file in the working directory or sleep a millisecond per id (which
 * capped the listener at about 1,000 ACKs per second).
 */
final class AckControlIds implements IDGenerator {

    private final String prefix = "CB" + Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong next = new AtomicLong();

    @Override
    public String getID() {
        return prefix + Long.toString(next.incrementAndGet(), 36);
    }
}
