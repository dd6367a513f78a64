/**
 * The model-bundle vendor contract (DESIGN.md section 4): the model card a bundle declares and the
 * {@link io.carebus.api.model.Prediction} an inference produces. No vendor code runs in the engine: a card is data.
 */
package io.carebus.api.model;
