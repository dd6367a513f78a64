/**
 * The one skeleton that hands stored messages to processing ({@link io.carebus.store.dispatch.StoredMessageDispatcher}):
 * resume at start, queue, lanes, batched outcomes, keeping the item on a store outage, reprocess and lifecycle. Each
 * protocol bundle supplies only a {@link io.carebus.store.dispatch.MessageHandler}: its mapping and headers.
 */
package io.carebus.store.dispatch;
