package io.carebus.inference.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where refused model jars go: out of {@code deploy/} (which the deployer would install again, and whose sub-folders
 * it takes for exploded bundles) into a folder of their own, each beside a {@code .reason} file, so an operator can
 * read why and hand the jar back to its vendor.
 */
final class RefusedModels {

    private static final Logger LOG = LoggerFactory.getLogger(RefusedModels.class);

    private RefusedModels() {
    }

    /** Moves the bundle's file when its location is a file directly in {@code deploy}; returns where it went. */
    static Optional<Path> moveOutOfDeploy(String location, Path deploy, Path refused, String reason) {
        Optional<Path> file = deployedFile(location, deploy);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(refused);
            String name = Instant.now().toString().replace(':', '-') + "-" + file.get().getFileName();
            Path target = refused.resolve(name);
            try {
                Files.move(file.get(), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(file.get(), target);
            }
            Files.writeString(refused.resolve(name + ".reason"), reason + System.lineSeparator(), StandardCharsets.UTF_8);
            LOG.warn("Refused model bundle moved from {} to {}", file.get(), target);
            return Optional.of(target);
        } catch (IOException e) {
            LOG.error("Refused model bundle {} could not be moved out of deploy/: {}", file.get(), e.toString());
            return Optional.empty();
        }
    }

    /** The deployer names a bundle by its file's URI; anything else (mvn:, a feature) has no file of ours to move. */
    static Optional<Path> deployedFile(String location, Path deploy) {
        if (location == null || !location.startsWith("file:")) {
            return Optional.empty();
        }
        try {
            Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
            Path folder = deploy.toAbsolutePath().normalize();
            return folder.equals(file.getParent()) && Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
