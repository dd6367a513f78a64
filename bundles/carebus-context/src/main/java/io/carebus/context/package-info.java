/**
 * The patient context: a durable per-patient clinical timeline in the engine's database, fed by {@code carebus:context}
 * on every intake route, and the header names that step hands to the rest of the route ({@link ContextHeaders}).
 */
package io.carebus.context;
