/**
 * The durable message store contract: a message is acknowledged to its sender only after
 * {@link io.carebus.api.store.MessageStore#store} returned.
 */
package io.carebus.api.store;
