package io.carebus.inference;

/**
 * Where a model version stands. SERVING answers requests; CANARY answers a configured share of them; SHADOW runs on
 * the same inputs with its outputs only recorded and compared; RETIRED no longer runs; REFUSED never passed the
 * checks (the view says why).
 */
public enum ServingState { SERVING, CANARY, SHADOW, RETIRED, REFUSED }
