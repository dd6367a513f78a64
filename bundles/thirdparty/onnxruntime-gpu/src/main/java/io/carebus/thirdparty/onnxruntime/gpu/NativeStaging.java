package io.carebus.thirdparty.onnxruntime.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the GPU build's natives where ONNX Runtime looks for them before any ORT class initialises (the bundle starts
 * at a lower start level than its users): ORT's core {@code dlopen}s the CUDA provider from the folder it was itself
 * loaded from, and ORT's Java side only asks for the CUDA provider when that file is in {@code onnxruntime.native.path}.
 *
 * <p>The 0.6 GB are copied once per bundle revision into the bundle's data area. Each activation then loads them
 * through a fresh folder of hard links: the JVM refuses to load one path into a second class loader (a refreshed
 * bundle), while glibc recognises the same file under a new name and hands back the library already in memory, so
 * the process keeps exactly one ONNX Runtime.
 */
public final class NativeStaging implements BundleActivator {

    private Path area;
    private Path staged;
    private String thisJvm;

    static final String PATH_PROPERTY = "onnxruntime.native.path";
    static final List<String> LIBRARIES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so",
            "libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so");
    private static final String COMPLETE = ".complete";
    /** In a folder stop() linked for the next class loader, until start() takes it. */
    private static final String PREPARED = ".prepared";
    private static final Logger LOG = LoggerFactory.getLogger(NativeStaging.class);

    @Override
    public void start(BundleContext context) throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            // ORT then fails on first use with its own message; the CPU bundle is the one for other platforms.
            LOG.error("The ONNX Runtime GPU bundle has natives for Linux x86-64 only, not {} {}", os, arch);
            return;
        }
        Bundle bundle = context.getBundle();
        Path area = context.getDataFile("").toPath();
        Path staged = area.resolve("natives-" + bundle.getVersion() + "-" + bundle.getLastModified());
        if (!Files.isRegularFile(staged.resolve(COMPLETE))) {
            stage(bundle, staged);
        }
        String thisJvm = "loaded-" + ProcessHandle.current().pid() + "-";
        removeStale(area, staged.getFileName().toString(), thisJvm);
        String named = System.getProperty(PATH_PROPERTY);
        Path prepared = named == null ? null : Path.of(named);
        if (prepared != null && prepared.startsWith(area) && Files.deleteIfExists(prepared.resolve(PREPARED))) {
            // The folder the previous activation's stop() left for this class loader: it may be in use already.
            LOG.info("ONNX Runtime GPU build: natives in {}", prepared);
        } else {
            LOG.info("ONNX Runtime GPU build: natives in {}", linkedFolder(area, staged, thisJvm));
        }
        this.area = area;
        this.staged = staged;
        this.thisJvm = thisJvm;
    }

    /**
     * Points ORT at a fresh folder before the next class loader exists. On a refresh the framework stops this bundle
     * (its old class loader has long read the property), then may let a bundle that uses ORT initialise it from the
     * new class loader before this bundle's start() runs again (seen in CI: a DS component activated by an HTTP
     * request); that loader must not find the old folder, which the JVM refuses to load a second time.
     */
    @Override
    public void stop(BundleContext context) throws IOException {
        if (staged != null) {
            Path next = linkedFolder(area, staged, thisJvm);
            Files.createFile(next.resolve(PREPARED));
        }
    }

    /** A new folder of hard links to the staged natives, named in onnxruntime.native.path. */
    private static Path linkedFolder(Path area, Path staged, String prefix) throws IOException {
        Path loaded = newFolder(area, prefix);
        for (String library : LIBRARIES) {
            link(staged.resolve(library), loaded.resolve(library));
        }
        System.setProperty(PATH_PROPERTY, loaded.toString());
        return loaded;
    }

    /** A folder no class loader of this JVM has loaded from (a refreshed bundle starts with fresh statics). */
    private static Path newFolder(Path area, String prefix) throws IOException {
        for (int n = 1; ; n++) {
            try {
                return Files.createDirectory(area.resolve(prefix + n));
            } catch (FileAlreadyExistsException taken) {
                // an earlier activation's, still mapped
            }
        }
    }

    private static void stage(Bundle bundle, Path staged) throws IOException {
        LOG.info("Copying the ONNX Runtime GPU natives (about 0.6 GB, once per bundle version) into {}", staged);
        Files.createDirectories(staged);
        for (String library : LIBRARIES) {
            Path target = staged.resolve(library);
            Path partial = staged.resolve(library + ".partial");
            try (InputStream in = bundle.getEntry("native/linux-x64/" + library).openStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.createFile(staged.resolve(COMPLETE));
    }

    private static void link(Path source, Path link) throws IOException {
        try {
            Files.createLink(link, source);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof FileAlreadyExistsException) {
                throw (FileAlreadyExistsException) e;
            }
            // A file system without hard links: a copy still loads, as a second mapping of the same library.
            Files.copy(source, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Drops folders of earlier bundle versions and of earlier JVMs; this JVM's may still be loaded. */
    private static void removeStale(Path area, String current, String thisJvm) throws IOException {
        try (Stream<Path> entries = Files.list(area)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                boolean stale = (name.startsWith("natives-") && !name.equals(current))
                        || (name.startsWith("loaded-") && !name.startsWith(thisJvm));
                if (stale) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
