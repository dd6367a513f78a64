/**
 * The durable message store bundle. It implements {@link io.carebus.api.store.MessageStore} (registered as an OSGi
 * service); {@link io.carebus.store.StoreUnavailableException} is what callers see when the database cannot take a
 * message, so they can refuse it (negative acknowledgement) instead of losing it.
 */
package io.carebus.store;
