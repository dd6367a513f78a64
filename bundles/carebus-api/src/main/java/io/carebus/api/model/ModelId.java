package io.carebus.api.model;

import io.carebus.api.Sha256;
import java.util.Objects;

/** Names exactly one model file: several versions of a model can be live at once, so the version is part of it. */
public record ModelId(String id, String version, Sha256 sha256) {

    public ModelId {
        requireToken(id, "id");
        requireToken(version, "version");
        Objects.requireNonNull(sha256, "sha256");
    }

    static void requireToken(String value, String what) {
        if (value == null || value.isBlank() || !value.strip().equals(value)) {
            throw new IllegalArgumentException("model " + what + " must be non-blank without surrounding spaces: '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return id + "@" + version;
    }
}
