package io.carebus.metrics.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads one query parameter of a Camel endpoint URI, e.g. the model of {@code carebus://infer?model=sepsis-risk}. */
final class EndpointParameters {

    private EndpointParameters() {
    }

    /** The parameter's value, or {@code "none"} when the URI has none (a meter tag must not be null). */
    static String value(String uri, String name) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return "none";
        }
        for (String pair : uri.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "none";
    }
}
