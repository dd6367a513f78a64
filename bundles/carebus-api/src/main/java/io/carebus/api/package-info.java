/**
 * The contracts between CareBus bundles. Each concern has its own sub-package; all of them are plain Java
 * (records and interfaces) so that any bundle, test or benchmark can use them without Camel, HAPI or OSGi.
 */
package io.carebus.api;
