/**
 * The durable message store bundle. It implements {@link io.carebus.api.store.MessageStore} (registered as an OSGi
 * service) and throws {@link io.carebus.api.store.StoreUnavailableException} (in the API, so callers need not depend on
 * this bundle to catch it) when the database cannot take a message, so callers can refuse it (negative
 * acknowledgement) instead of losing it. It owns the appliance's one database and registers it as the
 * {@link io.carebus.api.store.EngineDatabase} service; {@link StoreDatabases} opens the same database outside the
 * container (tests, tools).
 */
package io.carebus.store;
