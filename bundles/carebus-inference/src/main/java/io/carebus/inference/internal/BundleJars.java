package io.carebus.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.osgi.framework.Bundle;

/**
 * Writes an installed bundle's entries back into a jar, manifest and signature files first (where JarFile expects
 * them), so the signature can be checked whatever the bundle was installed from (deploy/, a feature's mvn: URL, an
 * upload): the framework keeps each entry's bytes as they were signed.
 */
final class BundleJars {

    private BundleJars() {
    }

    static void write(Bundle bundle, Path jar) throws IOException {
        Enumeration<URL> found = bundle.findEntries("/", "*", true);
        List<URL> entries = found == null ? List.of() : Collections.list(found);
        List<String> names = new ArrayList<>();
        for (URL url : entries) {
            String name = url.getPath().startsWith("/") ? url.getPath().substring(1) : url.getPath();
            if (!name.isEmpty() && !name.endsWith("/")) {
                names.add(name);
            }
        }
        names.sort((a, b) -> Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : names) {
                URL url = bundle.getEntry(name);
                if (url == null) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(name));
                try (InputStream in = url.openStream()) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
    }

    private static int rank(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.equals("META-INF/MANIFEST.MF")) {
            return 0;
        }
        return upper.startsWith("META-INF/") && !upper.substring(9).contains("/") ? 1 : 2;
    }
}
