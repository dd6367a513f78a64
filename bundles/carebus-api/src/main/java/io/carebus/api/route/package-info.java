/**
 * What every bundle that runs routes must know about route steps: a step that is missing for a while (its bundle is
 * being updated) is a reason to wait, not a failure of the message.
 */
package io.carebus.api.route;
