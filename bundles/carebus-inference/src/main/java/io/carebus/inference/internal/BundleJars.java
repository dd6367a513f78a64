package io.carebus.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.osgi.framework.Bundle;

/**
 * Writes an installed bundle's entries back into a jar, manifest and signature files first (where JarFile expects
 * them), so the signature can be checked whatever the bundle was installed from (deploy/, a feature's mvn: URL, an
 * upload): the framework keeps each entry's bytes as they were signed. Entries are listed with
 * {@link Bundle#getEntryPaths}, which, unlike {@code findEntries}, never tries to resolve the bundle: a model bundle
 * is read while it is still held at the gate.
 */
final class BundleJars {

    private BundleJars() {
    }

    /** @throws ModelRefusedException when the entries together inflate past {@code maxBytes} or number past the cap */
    static void write(Bundle bundle, Path jar, long maxBytes) throws IOException, ModelRefusedException {
        List<String> names = entryNames(bundle);
        names.sort((a, b) -> Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        long written = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : names) {
                URL url = bundle.getEntry(name);
                if (url == null) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(name));
                try (InputStream in = url.openStream()) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        written += n;
                        if (written > maxBytes) {
                            throw new ModelRefusedException("a model bundle may inflate to at most " + maxBytes / (1024 * 1024)
                                    + " MB (max.bundle.mb); " + name + " goes past it");
                        }
                        zip.write(buffer, 0, n);
                    }
                }
                zip.closeEntry();
            }
        }
    }

    private static List<String> entryNames(Bundle bundle) throws ModelRefusedException {
        List<String> names = new ArrayList<>();
        Deque<String> folders = new ArrayDeque<>(List.of("/"));
        while (!folders.isEmpty()) {
            Enumeration<String> paths = bundle.getEntryPaths(folders.pop());
            while (paths != null && paths.hasMoreElements()) {
                String path = paths.nextElement();
                if (path.endsWith("/")) {
                    folders.push(path);
                } else if (!path.isEmpty()) {
                    names.add(path.startsWith("/") ? path.substring(1) : path);
                }
                if (names.size() + folders.size() > ModelBundleInspector.MAX_ENTRIES) {
                    throw new ModelRefusedException("a model bundle holds at most " + ModelBundleInspector.MAX_ENTRIES + " entries");
                }
            }
        }
        return names;
    }

    private static int rank(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.equals("META-INF/MANIFEST.MF")) {
            return 0;
        }
        return upper.startsWith("META-INF/") && !upper.substring(9).contains("/") ? 1 : 2;
    }
}
