/** The audit trail's record and the service every bundle writes clinical events to. */
package io.carebus.api.audit;
