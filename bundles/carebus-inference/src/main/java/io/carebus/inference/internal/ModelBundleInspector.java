package io.carebus.inference.internal;

import io.carebus.api.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
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

    ModelPackage inspect(Path jar) throws ModelRefusedException {
        Map<String, byte[]> contents = new HashMap<>();
        String cardPath;
        String signer = null;
        boolean unsigned = false;
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            if (file.getManifest() == null) {
                throw new ModelRefusedException("not a model bundle: no manifest");
            }
            Attributes main = file.getManifest().getMainAttributes();
            cardPath = main.getValue(HEADER);
            if (cardPath == null || cardPath.isBlank()) {
                throw new ModelRefusedException("not a model bundle: no " + HEADER + " header");
            }
            ManifestRules.check(main);
            X509Certificate[] chain = null;
            long inflated = 0;
            int count = 0;
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (++count > MAX_ENTRIES) {
                    throw new ModelRefusedException("a model bundle holds at most " + MAX_ENTRIES + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".class") || lower.endsWith(".so") || lower.endsWith(".dll") || lower.endsWith(".dylib")
                        || lower.endsWith(".jnilib") || lower.endsWith(".jar") || lower.endsWith(".zip") || lower.endsWith(".war")
                        || lower.startsWith("ai/onnxruntime/")) {
                    throw new ModelRefusedException("a model bundle must not carry code, native libraries or nested archives: " + name);
                }
                byte[] bytes;
                try (InputStream in = file.getInputStream(entry)) {
                    // Read to the end (that is what makes JarFile check the entry's digest), but never past the cap:
                    // the sizes in the zip directory are the sender's word, the inflated stream is the fact.
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes - inflated + 1));
                    inflated += bytes.length;
                    if (inflated > maxBytes) {
                        throw new ModelRefusedException("a model bundle may inflate to at most " + maxBytes / (1024 * 1024)
                                + " MB (max.bundle.mb); " + name + " goes past it");
                    }
                } catch (SecurityException e) {
                    throw new ModelRefusedException("tampered: " + name + " does not match its signature (" + e.getMessage() + ")");
                }
                if (isSignatureFile(name)) {
                    continue;
                }
                contents.put(name, bytes);
                CodeSigner[] signers = entry.getCodeSigners();
                if (signers == null || signers.length == 0) {
                    unsigned = true;
                    if (chain != null) {
                        throw new ModelRefusedException("tampered: " + name + " is not covered by the signature");
                    }
                    continue;
                }
                if (unsigned) {
                    throw new ModelRefusedException("tampered: the jar mixes signed and unsigned entries");
                }
                X509Certificate[] entryChain = signers[0].getSignerCertPath().getCertificates().toArray(new X509Certificate[0]);
                if (chain == null) {
                    chain = entryChain;
                } else if (!chain[0].equals(entryChain[0])) {
                    throw new ModelRefusedException("entries are signed by different signers");
                }
            }
            if (chain == null) {
                if (!allowUnsigned) {
                    throw new ModelRefusedException("unsigned: model bundles must be signed by a trusted vendor "
                            + "(or set models.allow.unsigned = true for development)");
                }
            } else {
                signer = trust.check(chain);
            }
        } catch (IOException e) {
            throw new ModelRefusedException("not a readable jar: " + e.getMessage());
        } catch (SecurityException e) {
            throw new ModelRefusedException("tampered: " + e.getMessage());
        }
        byte[] cardBytes = contents.get(cardPath);
        if (cardBytes == null) {
            throw new ModelRefusedException(HEADER + " names " + cardPath + ", which the bundle does not hold");
        }
        CardDocument card;
        try {
            card = cards.read(cardBytes);
        } catch (InvalidCardException e) {
            throw new ModelRefusedException(e.getMessage());
        }
        byte[] model = null;
        for (CardDocument.ModelFile f : card.files()) {
            byte[] bytes = contents.get(f.path());
            if (bytes == null) {
                throw new ModelRefusedException("the card lists " + f.path() + ", which the bundle does not hold");
            }
            String actual = sha256(bytes);
            if (!actual.equals(f.sha256())) {
                throw new ModelRefusedException("sha256 of " + f.path() + " is " + actual + ", the card says " + f.sha256());
            }
            if ("model".equals(CardReader.role(f))) {
                model = bytes;
            }
            if (f.path().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                Optional<String> external = OnnxExternalData.firstExternalTensor(bytes);
                if (external.isPresent()) {
                    throw new ModelRefusedException(f.path() + ": tensor " + external.get()
                            + " keeps its data in an external file; a model bundle's weights must be inside its ONNX files");
                }
            }
        }
        return new ModelPackage(card, model, new Sha256(sha256(model)), contents, signer == null ? "unsigned (dev mode)" : signer);
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
