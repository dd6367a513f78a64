/**
 * The model-bundle gate: nothing of a model bundle can run or be wired before the inference extender has checked
 * and admitted it.
 */
package io.carebus.modelguard;
