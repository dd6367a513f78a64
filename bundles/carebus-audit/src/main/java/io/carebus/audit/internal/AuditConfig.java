package io.carebus.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The audit trail's settings (etc/io.carebus.audit.cfg). The database is the engine's one database
 * ({@link io.carebus.api.store.EngineDatabase}, configured in etc/io.carebus.store.cfg).
 */
@ObjectClassDefinition(name = "CareBus audit trail", description = "Hash-chained audit records, anchors and verification")
@interface AuditConfig {

    @AttributeDefinition(description = "This engine's node id, recorded with every record")
    String node_id() default "carebus-1";

    @AttributeDefinition(description = "Id of the HMAC key new records are chained with (recorded per record, for rotation)")
    String hmac_key_id() default "";

    @AttributeDefinition(description = "HMAC keys, id=base64 (at least 32 bytes), comma separated; or the environment "
            + "variable CAREBUS_AUDIT_KEYS. Empty: the file audit-keys in key.directory (generated once, owner-only)",
            type = AttributeType.PASSWORD)
    String hmac_keys() default "";

    @AttributeDefinition(description = "Folder of the generated key (audit-keys); keep it off the database's volume and "
            + "back it up separately. Empty: data/carebus")
    String key_directory() default "";

    @AttributeDefinition(description = "Directory for the signed anchors; put it on another volume than the database "
            + "(empty: data/carebus/audit-anchors)")
    String anchor_directory() default "";

    @AttributeDefinition(description = "Minutes between anchors of the chain head (0 = only at shutdown)")
    int anchor_interval_minutes() default 5;

    @AttributeDefinition(description = "Minutes between scheduled verifications (0 = never); a broken chain is logged "
            + "at ERROR and reported by the health endpoint")
    int verify_interval_minutes() default 60;

    @AttributeDefinition(description = "Most records per commit")
    int max_batch() default 1024;
}
