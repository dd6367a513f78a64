package io.carebus.inference.internal;

import io.carebus.inference.check.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;

/**
 * The manifest of a model bundle declares data only. Each refused header is a way for a jar to get code run or
 * wired inside the engine: an activator or DS components run on start, native code loads into the JVM, a fragment
 * joins another bundle's class loader, a dynamic import or an extra requirement pulls in packages or extenders, and
 * a bundle class path can point into nested archives.
 */
final class ManifestRules {

    private static final List<String> FORBIDDEN = List.of("Bundle-Activator", "Service-Component", "Bundle-NativeCode",
            "Fragment-Host", "DynamicImport-Package", "Extension-Bundle-Activator", "Karaf-Commands");

    private ManifestRules() {
    }

    /** Every header of {@code main} that would let code run or wire, each as a problem. */
    static List<Problem> problems(Attributes main) {
        List<Problem> problems = new ArrayList<>();
        for (String header : FORBIDDEN) {
            if (main.getValue(header) != null) {
                problems.add(Problem.of("a model bundle must not have a " + header + " header (no vendor code runs in the engine)"));
            }
        }
        String classPath = main.getValue("Bundle-ClassPath");
        if (classPath != null) {
            for (String clause : clauses(classPath)) {
                if (!namespace(clause).equals(".")) {
                    problems.add(Problem.of("a model bundle must not have a Bundle-ClassPath beyond '.': " + clause));
                }
            }
        }
        String requirements = main.getValue("Require-Capability");
        if (requirements != null) {
            for (String clause : clauses(requirements)) {
                if (!namespace(clause).equals("osgi.ee")) {
                    problems.add(Problem.of("a model bundle may require only osgi.ee, not " + namespace(clause)));
                }
            }
        }
        return problems;
    }

    private static String namespace(String clause) {
        int semicolon = clause.indexOf(';');
        return (semicolon < 0 ? clause : clause.substring(0, semicolon)).strip();
    }

    /** The comma-separated clauses of an OSGi header; commas inside quoted values do not split. */
    static List<String> clauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        clauses.add(current.toString());
        clauses.removeIf(String::isBlank);
        return clauses;
    }
}
