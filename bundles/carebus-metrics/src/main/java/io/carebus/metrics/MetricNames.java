package io.carebus.metrics;

/**
 * The CareBus meters by their Micrometer names; the Prometheus registry writes them with '_' for '.', a unit suffix
 * ({@code _seconds}) and {@code _total} on counters, e.g. {@link #ROUTE_EXCHANGES} becomes
 * {@code carebus_route_exchanges_seconds_count}, {@code _sum} and {@code _bucket}.
 */
public final class MetricNames {

    /** Timer per route ({@code route}) and {@code outcome} (completed, failed): every exchange a route's consumer began. */
    public static final String ROUTE_EXCHANGES = "carebus.route.exchanges";
    /**
     * Timer per HL7v2 MLLP {@code listener}: from a frame's arrival to the listener's exchange completing, i.e. the
     * ACK (AA, AE or AR) written back; {@code outcome} as for routes.
     */
    public static final String LISTENER_ACK = "carebus.listener.ack";
    /**
     * Timer per processing route ({@code route}: the protocol's inbound endpoint) from a message's receipt
     * ({@code received_at} in the store) to its processing route completing.
     */
    public static final String MESSAGE_END_TO_END = "carebus.message.end.to.end";
    /** End-to-end samples given up because more were waiting for their receipt time than the cap allows. */
    public static final String MESSAGE_END_TO_END_DROPPED = "carebus.message.end.to.end.dropped";
    /** Counter per {@code listener} and {@code protocol}: messages stored (accepted and rejected) since start. */
    public static final String MESSAGES_RECEIVED = "carebus.messages.received";
    /** Counter per {@code listener} and {@code protocol}: intake warnings on those messages (lenient validation). */
    public static final String MESSAGE_WARNINGS = "carebus.message.warnings";
    /**
     * Gauge per {@code listener}, {@code protocol} and {@code status} (RECEIVED: waiting to be processed, the
     * queue depth; ERROR: failed, waiting for a reprocess): messages in the store now.
     */
    public static final String STORE_MESSAGES = "carebus.store.messages";
    /** Gauge per {@code ehr} and {@code status} (PENDING, DEAD): FHIR results in the outbox now. */
    public static final String OUTBOX_ENTRIES = "carebus.outbox.entries";
    /** Gauge per {@code destination} and {@code status} (PENDING, DEAD): DICOM instances waiting to be forwarded. */
    public static final String DICOM_FORWARD_ENTRIES = "carebus.dicom.forward.entries";
    /** Gauge: seconds the last store reading took; -1 while the store could not be read. */
    public static final String STORE_READ = "carebus.store.read.seconds";
    /** Timer per {@code model} and {@code outcome} (PREDICTED, ABSTAINED, INSUFFICIENT_DATA, FAILED): carebus:infer. */
    public static final String MODEL_INFERENCE = "carebus.model.inference";
    /** Counter per {@code model} and {@code version}: requests each loaded version served (the registry's count). */
    public static final String MODEL_REQUESTS = "carebus.model.requests";
    /** Gauge per {@code model}, {@code version} and {@code state}: 1 for each model version the registry knows. */
    public static final String MODEL_STATE = "carebus.model.state";

    private MetricNames() {
    }
}
