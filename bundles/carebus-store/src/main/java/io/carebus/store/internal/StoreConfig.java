package io.carebus.store.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus message store", description = "Durable store of every inbound message")
@interface StoreConfig {

    @AttributeDefinition(description = "JDBC URL: empty = embedded H2 under ${karaf.data}/carebus/store; jdbc:postgresql://... for PostgreSQL")
    String jdbc_url() default "";

    @AttributeDefinition(description = "Database user (PostgreSQL)")
    String jdbc_user() default "";

    @AttributeDefinition(description = "Database password (PostgreSQL); better taken from the environment", type = AttributeType.PASSWORD)
    String jdbc_password() default "";

    @AttributeDefinition(description = "A message with the same sender and control id within this many minutes is a duplicate (0 = off)")
    long duplicate_window_minutes() default 1440;

    @AttributeDefinition(description = "Most messages committed together in one group commit", min = "1")
    int group_commit_max_batch() default 512;

    @AttributeDefinition(description = "Bodies of PROCESSED messages older than this many days are archived then pruned (0 = keep)")
    int retention_days() default 0;

    @AttributeDefinition(description = "Where pruned bodies are archived (zip files); empty = ${karaf.data}/carebus/archive")
    String retention_archive_directory() default "";

    @AttributeDefinition(description = "Id of the key that encrypts new payloads (AES-256-GCM); empty = payloads in clear")
    String payload_encryption_key_id() default "";

    @AttributeDefinition(description = "Payload keys id=base64(32 bytes),...; better taken from CAREBUS_STORE_PAYLOAD_KEYS",
            type = AttributeType.PASSWORD)
    String payload_encryption_keys() default "";
}
