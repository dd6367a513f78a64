package io.carebus.fhir.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/** An OSGi component property type (a configuration annotation) with the given values and its defaults for the rest. */
public final class Configs {

    private Configs() {
    }

    @SuppressWarnings("unchecked")
    public static <T> T of(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String key = method.getName();
            if (values.containsKey(key)) {
                return values.get(key);
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            return switch (key) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + values;
                case "hashCode" -> values.hashCode();
                case "equals" -> proxy == args[0];
                default -> throw new IllegalStateException("no value for " + key);
            };
        });
    }
}
