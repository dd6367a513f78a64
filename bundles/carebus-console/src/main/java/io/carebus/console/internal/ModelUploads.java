package io.carebus.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * {@code POST /api/models}: an uploaded model bundle goes the way a dropped-in one does — into deploy/, whole (written
 * elsewhere first, then moved in one rename, so the deployer never sees half a jar) — and from there through the
 * extender's checks. Only the manifest is looked at here, to name the file and to refuse what is not a model bundle.
 */
final class ModelUploads {

    static final long MAX_BYTES = 512L * 1024 * 1024;

    record Uploaded(String file, String bundle) {
    }

    private ModelUploads() {
    }

    /** The bundle's file name (symbolic name and version) is already in deploy/. */
    static final class AlreadyDeployedException extends IllegalArgumentException {
        AlreadyDeployedException(String message) {
            super(message);
        }
    }

    static Uploaded accept(InputStream body, Path deploy, Path work) throws IOException {
        Files.createDirectories(work);
        Path temp = Files.createTempFile(work, "model-upload-", ".part");
        try {
            long size;
            try (InputStream in = body) {
                size = copyAtMost(in, temp, MAX_BYTES);
            }
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("model bundle over " + MAX_BYTES + " bytes");
            }
            String name;
            try (JarFile jar = new JarFile(temp.toFile(), false)) {
                Manifest manifest = jar.getManifest();
                if (manifest == null || manifest.getMainAttributes().getValue("CareBus-Model") == null) {
                    throw new IllegalArgumentException("not a model bundle: no CareBus-Model manifest header");
                }
                String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                String version = manifest.getMainAttributes().getValue("Bundle-Version");
                if (bsn == null || version == null) {
                    throw new IllegalArgumentException("not an OSGi bundle: Bundle-SymbolicName and Bundle-Version are required");
                }
                name = (bsn.split(";")[0].strip() + "-" + version.strip()).replaceAll("[^A-Za-z0-9._-]", "_") + ".jar";
            } catch (IOException e) {
                throw new IllegalArgumentException("not a jar: " + e.getMessage());
            }
            Files.createDirectories(deploy);
            Path target = deploy.resolve(name);
            // Never over an existing file: the deployer would take it as an update of the installed bundle, so the
            // same name and version could silently carry different bytes. A new build needs a new version.
            if (Files.exists(target)) {
                throw new AlreadyDeployedException("deploy/" + name + " is already there: undeploy it first or give the new build a new Bundle-Version");
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return new Uploaded(target.getFileName().toString(), name.substring(0, name.length() - 4));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static long copyAtMost(InputStream in, Path target, long max) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (var out = Files.newOutputStream(target)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > max) {
                    return total;
                }
                out.write(buffer, 0, n);
            }
        }
        return total;
    }
}
