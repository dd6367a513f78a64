package io.carebus.api.store;

/** Where a stored message stands. RECEIVED messages are resumed after a restart. */
public enum MessageStatus { RECEIVED, PROCESSED, FILTERED, ERROR }
