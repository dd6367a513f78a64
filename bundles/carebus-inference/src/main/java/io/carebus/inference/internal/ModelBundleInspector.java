package io.carebus.inference.internal;

import io.carebus.api.Sha256;
import io.carebus.inference.check.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The checks a model bundle passes before its model may run, on the jar file itself: every entry signed by one
 * signer the vendor trust store vouches for (unless dev mode allows unsigned jars), nothing executable inside (no
 * classes, activator or native libraries: a model bundle is data), a valid card, and each file's SHA-256 as the card
 * says. Whatever fails becomes the refusal reason shown to the operator.
 */
final class ModelBundleInspector {

    static final String HEADER = "CareBus-Model";

    /** Entries a model bundle may hold at most (a card, a graph and a few files; a zip of millions is an attack). */
    static final int MAX_ENTRIES = 10_000;

    private final VendorTrust trust;
    private final boolean allowUnsigned;
    private final long maxBytes;
    private final CardReader cards = new CardReader();

    ModelBundleInspector(VendorTrust trust, boolean allowUnsigned) {
        this(trust, allowUnsigned, 512L * 1024 * 1024);
    }

    /** {@code maxBytes}: the most uncompressed bytes all entries together may inflate to (a zip bomb is refused, not inflated). */
    ModelBundleInspector(VendorTrust trust, boolean allowUnsigned, long maxBytes) {
        this.trust = trust;
        this.allowUnsigned = allowUnsigned;
        this.maxBytes = maxBytes;
    }

    /** What an accepted model bundle holds. */
    record ModelPackage(CardDocument card, byte[] model, Sha256 modelSha256, Map<String, byte[]> files, String signer) {
    }

    /**
     * What the checks found: the package as far as it could be read (card and model may be null) and every problem.
     * The engine admits a bundle only without problems; the vendor kit lists them all.
     */
    record Inspection(ModelPackage pkg, List<Problem> problems, List<String> warnings, byte[] cardBytes) {
    }

    ModelPackage inspect(Path jar) throws ModelRefusedException {
        Inspection inspection = examine(jar);
        if (!inspection.problems().isEmpty()) {
            throw new ModelRefusedException(inspection.problems());
        }
        return inspection.pkg();
    }

    /**
     * Runs every check that can run and collects the problems, in the order the engine states them: the jar's
     * (manifest, contents, signature), then the card's, then each file's hash and ONNX external data. A problem that
     * leaves nothing more to check (no manifest, an unreadable jar, a zip bomb) ends the examination.
     */
    Inspection examine(Path jar) {
        List<Problem> problems = new ArrayList<>();
        Map<String, byte[]> contents = new HashMap<>();
        java.util.Set<String> tampered = new java.util.HashSet<>();
        String cardPath;
        String signer = null;
        boolean unsigned = false;
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            if (file.getManifest() == null) {
                return stop(problems, "not a model bundle: no manifest");
            }
            Attributes main = file.getManifest().getMainAttributes();
            cardPath = main.getValue(HEADER);
            if (cardPath == null || cardPath.isBlank()) {
                return stop(problems, "not a model bundle: no " + HEADER + " header");
            }
            problems.addAll(ManifestRules.problems(main));
            X509Certificate[] chain = null;
            long inflated = 0;
            int count = 0;
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (++count > MAX_ENTRIES) {
                    return stop(problems, "a model bundle holds at most " + MAX_ENTRIES + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".class") || lower.endsWith(".so") || lower.endsWith(".dll") || lower.endsWith(".dylib")
                        || lower.endsWith(".jnilib") || lower.endsWith(".jar") || lower.endsWith(".zip") || lower.endsWith(".war")
                        || lower.startsWith("ai/onnxruntime/")) {
                    problems.add(Problem.of("a model bundle must not carry code, native libraries or nested archives: " + name));
                    continue;
                }
                byte[] bytes;
                try (InputStream in = file.getInputStream(entry)) {
                    // Read to the end (that is what makes JarFile check the entry's digest), but never past the cap:
                    // the sizes in the zip directory are the sender's word, the inflated stream is the fact.
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes - inflated + 1));
                    inflated += bytes.length;
                    if (inflated > maxBytes) {
                        return stop(problems, "a model bundle may inflate to at most " + maxBytes / (1024 * 1024)
                                + " MB (max.bundle.mb); " + name + " goes past it");
                    }
                } catch (SecurityException e) {
                    problems.add(Problem.of("tampered: " + name + " does not match its signature (" + e.getMessage() + ")"));
                    tampered.add(name);
                    continue;
                }
                if (isSignatureFile(name)) {
                    continue;
                }
                contents.put(name, bytes);
                CodeSigner[] signers = entry.getCodeSigners();
                if (signers == null || signers.length == 0) {
                    unsigned = true;
                    if (chain != null) {
                        problems.add(Problem.of("tampered: " + name + " is not covered by the signature"));
                    }
                    continue;
                }
                if (unsigned) {
                    problems.add(Problem.of("tampered: the jar mixes signed and unsigned entries"));
                    continue;
                }
                X509Certificate[] entryChain = signers[0].getSignerCertPath().getCertificates().toArray(new X509Certificate[0]);
                if (chain == null) {
                    chain = entryChain;
                } else if (!chain[0].equals(entryChain[0])) {
                    problems.add(Problem.of("entries are signed by different signers"));
                }
            }
            if (chain == null) {
                if (!allowUnsigned) {
                    problems.add(Problem.of("unsigned: model bundles must be signed by a trusted vendor "
                            + "(or set models.allow.unsigned = true for development)"));
                }
            } else {
                try {
                    signer = trust.check(chain);
                } catch (ModelRefusedException e) {
                    problems.addAll(e.problems());
                }
            }
        } catch (IOException e) {
            return stop(problems, "not a readable jar: " + e.getMessage());
        } catch (SecurityException e) {
            return stop(problems, "tampered: " + e.getMessage());
        }
        byte[] cardBytes = contents.get(cardPath);
        if (cardBytes == null) {
            problems.add(Problem.of(HEADER + " names " + cardPath + ", which the bundle does not hold"));
            return new Inspection(null, problems, List.of(), null);
        }
        CardDocument card;
        try {
            card = cards.read(cardBytes);
        } catch (InvalidCardException e) {
            problems.addAll(e.problems());
            return new Inspection(null, problems, List.of(), cardBytes);
        }
        CardLines lines = CardLines.of(cardBytes);
        byte[] model = null;
        for (int i = 0; i < card.files().size(); i++) {
            CardDocument.ModelFile f = card.files().get(i);
            String at = "/files/" + i;
            byte[] bytes = contents.get(f.path());
            if (bytes == null) {
                if (!tampered.contains(f.path())) { // a tampered file is reported as such already
                    problems.add(Problem.at(at + "/path", "the card lists " + f.path() + ", which the bundle does not hold"));
                }
                continue;
            }
            String actual = sha256(bytes);
            if (!actual.equals(f.sha256())) {
                problems.add(Problem.at(at + "/sha256", "sha256 of " + f.path() + " is " + actual + ", the card says " + f.sha256()));
                continue;
            }
            if (f.path().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                try {
                    Optional<String> external = OnnxExternalData.firstExternalTensor(bytes);
                    if (external.isPresent()) {
                        problems.add(Problem.at(at + "/path", f.path() + ": tensor " + external.get()
                                + " keeps its data in an external file; a model bundle's weights must be inside its ONNX files"));
                        continue; // never handed to ONNX Runtime, which would read that file
                    }
                } catch (ModelRefusedException e) {
                    e.problems().forEach(p -> problems.add(Problem.at(at + "/path", p.reason())));
                    continue;
                }
            }
            if ("model".equals(CardReader.role(f))) {
                model = bytes;
            }
        }
        List<String> warnings = new ArrayList<>();
        problems.addAll(ModelChecks.backgroundProblems(card, contents, warnings));
        ModelPackage pkg = model == null ? null
                : new ModelPackage(card, model, new Sha256(sha256(model)), contents, signer == null ? "unsigned (dev mode)" : signer);
        return new Inspection(pkg, lines.locate(problems), warnings, cardBytes);
    }

    private static Inspection stop(List<Problem> problems, String reason) {
        problems.add(Problem.of(reason));
        return new Inspection(null, problems, List.of(), null);
    }

    private static boolean isSignatureFile(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF") || (upper.startsWith("META-INF/") && !upper.substring(9).contains("/")
                && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
