/** Verification of the audit trail: whether the hash chain is intact, and where and how it was broken. */
package io.carebus.audit;
