/**
 * The model-bundle checks of the appliance as a library, for the vendor kit ({@code carebus-model validate}, {@code
 * pack}, {@code selftest}) and other tools: {@link io.carebus.inference.check.ModelBundleValidator} runs exactly the
 * extender's checks on a jar, {@link io.carebus.inference.check.CardCompatibility} compares two versions' cards,
 * {@link io.carebus.inference.check.ModelProbe} runs a card's model the way the engine does.
 */
package io.carebus.inference.check;
