/**
 * Durable delivery queues (the EHR outbox, DICOM forwarding): claiming due rows so that several appliances on one
 * PostgreSQL never send the same row at the same time ({@link io.carebus.store.delivery.DeliveryQueue}).
 */
package io.carebus.store.delivery;
