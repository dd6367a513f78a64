package io.carebus.hl7.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A {@link ListenerConfig} as DS would build it from a .cfg file: the given values, metatype defaults for the rest. */
final class ListenerConfigs {

    private ListenerConfigs() {
    }

    static ListenerConfig of(Map<String, Object> values) {
        return (ListenerConfig) Proxy.newProxyInstance(ListenerConfig.class.getClassLoader(), new Class<?>[] {ListenerConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> ListenerConfig.class;
                    case "toString" -> "ListenerConfig" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }
}
