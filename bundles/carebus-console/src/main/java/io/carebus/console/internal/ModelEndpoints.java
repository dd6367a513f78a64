package io.carebus.console.internal;

import java.util.function.Function;

/**
 * The console's model endpoints, as a service of their own that exists only while the inference bundle runs (the
 * console must run without it, see {@link AuditEndpoints}).
 */
interface ModelEndpoints {

    /** GET /api/models. */
    AuditResource.Answer list();

    /**
     * POST /api/models/{id}/rollback, /api/models/{id}/{version}/{promote|canary|shadow|retire} and
     * /api/models/{id}/predict (JSON object of feature values; {@code version} and {@code subject} as parameters).
     */
    AuditResource.Answer post(String path, Function<String, String> param, byte[] body);
}
