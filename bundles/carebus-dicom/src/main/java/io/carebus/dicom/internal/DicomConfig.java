package io.carebus.dicom.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus DICOM", description = "The DICOM gateway: C-ECHO/C-STORE SCP, storage, routes")
@interface DicomConfig {

    @AttributeDefinition(description = "Whether the SCP listens")
    boolean enabled() default true;

    @AttributeDefinition(description = "TCP port of the SCP")
    int port() default 11112;

    @AttributeDefinition(description = "Address the SCP binds to (0.0.0.0 = all)")
    String bind_address() default "0.0.0.0";

    @AttributeDefinition(description = "The SCP's AE title (called AE title senders must use)")
    String ae_title() default "CAREBUS";

    @AttributeDefinition(description = "Calling AE titles allowed to associate, comma separated; blank = any")
    String calling_ae_allowed() default "";

    @AttributeDefinition(description = "Storage SOP class UIDs accepted, comma separated")
    String sop_classes() default DicomDefaults.SOP_CLASSES;

    @AttributeDefinition(description = "Transfer syntax UIDs accepted, in order of preference, comma separated")
    String transfer_syntaxes() default DicomDefaults.TRANSFER_SYNTAXES;

    @AttributeDefinition(description = "Largest P-DATA PDU the SCP receives, bytes")
    int max_pdu() default 131072;

    @AttributeDefinition(description = "Associations open at once; more are rejected (transient, local limit exceeded)")
    int max_associations() default 32;

    @AttributeDefinition(description = "Connections one remote address may hold at once (negotiating or associated); more are closed at accept")
    int max_associations_per_address() default 16;

    @AttributeDefinition(description = "Connections that may be waiting for their A-ASSOCIATE-RQ at once; beyond it the oldest is closed")
    int max_pending_associations() default 256;

    @AttributeDefinition(description = "Seconds a connection may take to send its complete A-ASSOCIATE-RQ (ARTIM); then it is closed")
    int artim_timeout_seconds() default 5;

    @AttributeDefinition(description = "Largest instance (data set) accepted, MB; larger ones get A700 and are discarded as they arrive")
    long max_instance_mb() default 2048;

    @AttributeDefinition(description = "Seconds an association may stay silent before it is aborted")
    int idle_timeout_seconds() default 60;

    @AttributeDefinition(description = "Free space (MB) the storage must keep; below it C-STOREs get A700 (out of resources)")
    long min_free_mb() default 512;

    @AttributeDefinition(description = "Instances up to this size (MB) are read back whole before Success; larger ones up to the pixel data")
    long full_read_max_mb() default 256;

    @AttributeDefinition(description = "No Success without the instance's audit record: with no audit trail running, a C-STORE "
            + "waits up to audit.wait.ms for it, then gets A700 (stored, not confirmed; the resend is its duplicate)")
    boolean audit_required() default true;

    @AttributeDefinition(description = "How long a C-STORE waits for an audit trail that is not running (being updated), ms", min = "0")
    long audit_wait_ms() default 5000;

    @AttributeDefinition(description = "Folder for instances; blank = <karaf.data>/carebus/dicom")
    String storage_dir() default "";

    @AttributeDefinition(description = "TLS on the SCP port (DICOM PS3.15 Annex B); key store and trust store relative to etc/")
    boolean tls_enabled() default false;

    String tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String tls_keystore_password() default "";

    String tls_truststore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String tls_truststore_password() default "";

    @AttributeDefinition(description = "NONE, WANT or REQUIRE (mutual TLS)")
    String tls_client_auth() default "NONE";

    @AttributeDefinition(description = "Largest STOW-RS request at /dicomweb/studies, MB (larger: 413)")
    int stow_max_mb() default 512;

    @AttributeDefinition(description = "STOW-RS requests handled at once; more get 503 with Retry-After")
    int stow_max_concurrent() default 4;

    @AttributeDefinition(description = "Camel endpoint each stored instance is handed to")
    String endpoint() default "direct:carebus-dicom-inbound";

    @AttributeDefinition(description = "Camel endpoint a study is handed to once complete")
    String study_endpoint() default "direct:carebus-dicom-study";

    @AttributeDefinition(description = "A study is complete after this many seconds without a new instance")
    int study_quiet_seconds() default 10;

    @AttributeDefinition(description = "Seconds to wait before handing an instance again when no route consumes the endpoint")
    int retry_seconds() default 5;
}
