package io.carebus.dicom.internal;

import java.util.HashMap;
import java.util.Map;

/** Gateway settings for tests that run the SCP without an audit trail. */
final class GatewayConfigs {

    private GatewayConfigs() {
    }

    /**
     * {@code values} with {@code audit_required = false} unless the test sets it: the shipped default requires the
     * instance's audit record, and without a trail every C-STORE would wait 5 s and get A700 (InstanceStoreAuditTest).
     */
    static Map<String, Object> unaudited(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.putIfAbsent("audit_required", false);
        return all;
    }
}
