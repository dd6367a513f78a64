/**
 * The routes engine: one CamelContext per appliance whose routes are the YAML files of the routes folder.
 * {@link io.carebus.camel.RouteFiles} tells which files are deployed, which were rejected and why.
 */
package io.carebus.camel;
