/**
 * Serving models from model bundles: the {@link io.carebus.inference.ModelRegistry} (what is live, in which state,
 * and inference against it) for routes, the console and the shell.
 */
package io.carebus.inference;
