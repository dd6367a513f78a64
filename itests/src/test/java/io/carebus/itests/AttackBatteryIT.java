package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedShortAttribute;
import io.carebus.api.XmlDeclarations;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 20's attack battery against the booted appliance. Attackers connect from 127.0.0.2 and up, the legitimate
 * peer from 127.0.0.1; heap is measured inside the appliance after a forced GC. The caps are lowered where that keeps
 * the test small (1 MB frames, bodies and instances; 100 messages per batch); the shipped defaults are what the
 * bundles' unit tests use.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AttackBatteryIT extends CareBusTestSupport {

    private static final int MB = 1024 * 1024;
    private static final long HEAP_GROWTH_LIMIT = 50L * MB;
    /** What a refused HL7v2 frame or FHIR body keeps of itself. */
    private static final int REFUSED_PREFIX = 64 * 1024;
    private static final String ADT = "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261128||ADT^A01^ADT_A01|%s|P|2.5\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\r";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected MessageStore store;

    /** Chosen where the options are built (outside the container) and handed in as a system property. */
    private static final int HTTPS_PORT = freePort();

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return plus(super.config(),
                editConfigurationFilePut("etc/io.carebus.dicom.cfg", "max.instance.mb", "1"),
                editConfigurationFilePut("etc/io.carebus.hl7-main.cfg", "max.frame.bytes", Integer.toString(MB)),
                editConfigurationFilePut("etc/io.carebus.hl7-main.cfg", "max.batch.messages", "100"),
                editConfigurationFilePut("etc/io.carebus.fhir.cfg", "max.bytes", Integer.toString(MB)),
                editConfigurationFilePut("etc/io.carebus.console.cfg", "deid.max.bytes", Integer.toString(MB)),
                editConfigurationFilePut("etc/io.carebus.security.cfg", "https.port", Integer.toString(HTTPS_PORT)),
                org.ops4j.pax.exam.CoreOptions.systemProperty("carebus.it.https.port").value(Integer.toString(HTTPS_PORT)));
    }

    // ---------------------------------------------------------------- DICOM

    @Test
    public void aDicomCommandFragmentFloodIsCutOffBeforeAMegabyteAndAnEchoIsStillAnswered() throws Exception {
        awaitPort(dicomPort());
        long before = settledHeap();
        // Paced: a 16 KB fragment, then up to 100 ms for the SCP's answer. What was sent when it answered is at least
        // what it accepted.
        long paced = 0;
        boolean cut = false;
        try (Socket flood = connectFrom("127.0.0.2", dicomPort())) {
            associate(flood, "FLOOD");
            flood.setSoTimeout(100);
            byte[] fragment = commandFragment(16 * 1024);
            while (!cut && paced < MB) {
                try {
                    flood.getOutputStream().write(fragment);
                    paced += fragment.length;
                } catch (IOException closed) {
                    cut = true;
                    break;
                }
                cut = abortedOrClosed(flood);
            }
        }
        assertTrue("the SCP took " + paced + " bytes of command fragments without cutting the association off", cut);
        assertTrue("cut off only after " + paced + " bytes", paced < MB);
        // Unpaced, up to 64 MB: cut off all the same, and nothing of it stays in the heap.
        long sent;
        try (Socket flood = connectFrom("127.0.0.3", dicomPort())) {
            associate(flood, "FLOOD");
            sent = flood(flood, 64L * MB);
        }
        assertTrue("64 MB of command fragments went through uncut", sent >= 0);
        long after = settledHeap(); // settled, as "before" is: a collection caught mid-way is not the attack's
        assertTrue("heap grew from " + before / MB + " MB to " + after / MB + " MB", after - before < HEAP_GROWTH_LIMIT);
        assertEchoAnswered(Duration.ofSeconds(2));
    }

    @Test
    public void aThousandStalledDicomSocketsDoNotKeepAnEchoFromTheLegitimateAddressWaiting() throws Exception {
        awaitPort(dicomPort());
        long before = settledHeap();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                stalled.add(connectFrom(attacker(i), dicomPort()));
            }
            assertEchoAnswered(Duration.ofSeconds(2));
            long after = settledHeap();
            assertTrue("heap grew from " + before / MB + " MB to " + after / MB + " MB with 1,000 stalled sockets",
                    after - before < HEAP_GROWTH_LIMIT);
        } finally {
            closeAll(stalled);
        }
    }

    @Test
    public void anOversizeDicomInstanceGetsOutOfResourcesAndNothingOfItIsKept() throws Exception {
        awaitPort(dicomPort());
        Path dir = Files.createTempDirectory("attack-dicom");
        try {
            String sop = uid();
            Path big = dir.resolve("big.dcm");
            Files.write(big, ct(sop, 1024));
            assertTrue(Files.size(big) > 2L * MB - 1);
            String out = run(List.of("storescu", "-v", "-to", "5", "-ta", "5", "-td", "30", "-aec", "CAREBUS", "127.0.0.1",
                    Integer.toString(dicomPort()), big.toString()));
            assertTrue(out, out.contains("Store Response (Refused: OutOfResources)"));
            assertFalse(out, out.contains("Store Response (Success)"));
            try (Stream<Path> files = Files.walk(karafData().resolve("carebus/dicom"))) {
                List<String> large = files.filter(Files::isRegularFile).filter(f -> size(f) > MB).map(Path::toString).toList();
                assertTrue("files over the 1 MB cap kept: " + large, large.isEmpty());
            }
            for (MessageSummary m : stored(sop)) {
                assertTrue("message " + m.id() + " holds " + m.payloadSize() + " bytes", m.payloadSize() < REFUSED_PREFIX);
                assertFalse("message " + m.id() + " was accepted", m.status() == io.carebus.api.store.MessageStatus.RECEIVED
                        || m.status() == io.carebus.api.store.MessageStatus.PROCESSED);
            }
            // The gateway goes on: a small instance is stored.
            Path small = dir.resolve("small.dcm");
            Files.write(small, ct(uid(), 16));
            String ok = run(List.of("storescu", "-v", "-to", "5", "-ta", "5", "-td", "30", "-aec", "CAREBUS", "127.0.0.1",
                    Integer.toString(dicomPort()), small.toString()));
            assertTrue(ok, ok.contains("Store Response (Success)"));
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    // ---------------------------------------------------------------- HL7v2 (MLLP)

    @Test
    public void threeHundredStalledMllpSocketsDoNotKeepTheLegitimateSenderFromItsAcknowledgement() throws Exception {
        awaitPort(mllpPort());
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket socket = connectFrom("127.0.0." + (2 + i / 10), mllpPort());
                stalled.add(socket);
                if (i % 2 == 0) {
                    // half a frame: begun, never finished
                    writeQuietly(socket, MllpClient.frame(String.format(ADT, "STALL-" + i)), 40);
                }
            }
            long start = System.nanoTime();
            String ack;
            try (Socket legitimate = connectFrom("127.0.0.1", mllpPort())) {
                legitimate.getOutputStream().write(MllpClient.frame(String.format(ADT, "IT-LEGIT-1")));
                ack = MllpClient.readFrame(legitimate.getInputStream());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(ack, ack.contains("\rMSA|AA|IT-LEGIT-1"));
            assertTrue("AA after " + took.toMillis() + " ms", took.compareTo(Duration.ofSeconds(2)) < 0);
        } finally {
            closeAll(stalled);
        }
    }

    @Test
    public void aBatchOfTheCapIsAcceptedAndOneMoreIsRefused() throws Exception {
        awaitPort(mllpPort());
        String hundred = exchangeFrom("127.0.0.1", batch(100, "IT-BATCH"));
        assertEquals(hundred, 100, Arrays.stream(hundred.split("\r")).filter(s -> s.startsWith("MSA|AA|IT-BATCH-")).count());
        assertEquals(1, stored("IT-BATCH-99").size());

        String over = exchangeFrom("127.0.0.2", batch(101, "IT-OVER"));
        assertTrue(over, over.contains("\rMSA|AR||") && over.contains("max.batch.messages = 100"));
        assertFalse(over, over.contains("MSA|AA"));
        assertTrue(stored("IT-OVER-0").isEmpty());
        assertTrue(stored("IT-OVER-100").isEmpty());
    }

    @Test
    public void anOversizeMllpFrameGetsARejectAndOnlyItsStartIsStored() throws Exception {
        awaitPort(mllpPort());
        String big = String.format(ADT, "IT-BIG-FRAME").replace("Doe^Jane", "Doe^Jane" + "Y".repeat(MB + 64 * 1024));
        String answer;
        try (Socket socket = connectFrom("127.0.0.2", mllpPort())) {
            writeQuietly(socket, MllpClient.frame(big), Integer.MAX_VALUE);
            answer = MllpClient.readFrame(socket.getInputStream());
        }
        assertTrue(answer, answer.contains("\rMSA|AR|IT-BIG-FRAME"));
        List<MessageSummary> kept = stored("IT-BIG-FRAME");
        assertEquals(1, kept.size());
        assertTrue(kept.get(0).error(), kept.get(0).error().contains("max.frame.bytes"));
        assertTrue(kept.get(0).payloadSize() + " bytes kept", kept.get(0).payloadSize() <= REFUSED_PREFIX);
        String ok = exchangeFrom("127.0.0.1", String.format(ADT, "IT-AFTER-BIG"));
        assertTrue(ok, ok.contains("\rMSA|AA|IT-AFTER-BIG"));
    }

    // ---------------------------------------------------------------- HTTP

    @Test
    public void oversizeFhirBodiesAre413AndOnlyAPrefixIsStored() throws Exception {
        String password = adminPassword();
        Instant since = Instant.now();
        int fhirBefore = fhirMessagesSince(since).size();
        // Content-Length over the cap: answered after its first kilobyte, or at once when the client expects 100-continue.
        for (boolean expectContinue : new boolean[] {false, true}) {
            String declared = declaredTooLarge("/fhir/Observation", "application/fhir+json", 64L * MB, password, expectContinue);
            assertTrue(declared, declared.startsWith("HTTP/1.1 413"));
            assertTrue(declared, declared.toLowerCase(java.util.Locale.ROOT).contains("connection: close"));
        }
        assertEquals("nothing stored for a body never read", fhirBefore, fhirMessagesSince(since).size());
        // Chunked (no length): read up to the cap, then 413; only a 64 KB prefix stored.
        String chunked = chunkedPastTheCap("/fhir/Observation", "application/fhir+json", MB + 1, password);
        assertTrue(chunked, chunked.startsWith("HTTP/1.1 413"));
        List<MessageSummary> kept = fhirMessagesSince(since);
        assertEquals(fhirBefore + 1, kept.size());
        assertTrue(kept.get(0).payloadSize() + " bytes kept", kept.get(0).payloadSize() <= REFUSED_PREFIX);
        assertTrue(kept.get(0).error(), kept.get(0).error().startsWith("413"));
    }

    @Test
    public void oversizeAndDoctypeBodiesAtTheDeidTryItAreRefused() throws Exception {
        String password = adminPassword();
        for (boolean expectContinue : new boolean[] {false, true}) {
            String declared = declaredTooLarge("/api/deid", "application/hl7-v2", 64L * MB, password, expectContinue);
            assertTrue(declared, declared.startsWith("HTTP/1.1 413"));
            assertTrue(declared, declared.toLowerCase(java.util.Locale.ROOT).contains("connection: close"));
        }
        String chunked = chunkedPastTheCap("/api/deid", "application/hl7-v2", MB + 1, password);
        assertTrue(chunked, chunked.startsWith("HTTP/1.1 413"));

        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&x;\"/></name></Patient>";
        HttpResponse<String> refused = http(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + System.getProperty(HTTP_PORT)
                + "/api/deid")).timeout(Duration.ofSeconds(10)).header("Authorization", basic("admin", password))
                .header("Content-Type", "application/fhir+xml").POST(HttpRequest.BodyPublishers.ofString(xxe)).build());
        assertEquals(refused.body(), 400, refused.statusCode());
        assertTrue(refused.body(), refused.body().contains(XmlDeclarations.REFUSAL));
        assertFalse(refused.body(), refused.body().contains("root:"));
    }

    // ---------------------------------------------------------------- helpers

    private static int dicomPort() {
        return Integer.parseInt(System.getProperty(DICOM_PORT));
    }

    private static String attacker(int i) {
        return "127.0." + (1 + i / 200) + "." + (2 + i % 200);
    }

    private static Socket connectFrom(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Issue 20 item 4: 10,000 wrong passwords from one address are throttled (after the address's 20 failures every
     * further try is refused with 429 before any password is checked), the legitimate user on 127.0.0.1 still gets
     * in, and the failures are audited in aggregate: at most one LOGIN_FAILURE record per address per minute, whose
     * counts add up to the 10,000.
     */
    @Test
    public void tenThousandWrongPasswordsAreThrottledAndAuditedAtMostOncePerAddressPerMinute() throws Exception {
        String password = adminPassword();
        String attacker = "127.0.0.9";
        Instant start = Instant.now();
        int unauthorized = 0;
        int throttled = 0;
        int port = Integer.parseInt(System.getProperty(HTTP_PORT));
        Socket socket = connectFrom(attacker, port);
        try {
            for (int i = 0; i < 10_000; i++) {
                if (socket.isClosed()) {
                    socket = connectFrom(attacker, port);
                }
                String request = "GET /api/whoami HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                        + basic("clinician", "guess-" + i) + "\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String head = readHead(socket);
                skipBody(socket, head);
                if (head.startsWith("HTTP/1.1 401")) {
                    unauthorized++;
                } else if (head.startsWith("HTTP/1.1 429")) {
                    assertTrue(head, head.contains("Retry-After:"));
                    throttled++;
                } else {
                    throw new AssertionError("try " + i + ": " + head);
                }
                if (head.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
                    socket.close();
                }
            }
        } finally {
            socket.close();
        }
        assertTrue("the address is locked after its 20 failures: " + unauthorized + " x 401", unauthorized <= 20);
        assertEquals(10_000, unauthorized + throttled);
        assertEquals("the legitimate user from 127.0.0.1 is not locked out", 200, get("/api/whoami", "admin", password).statusCode());

        // The first failure is recorded at once, the rest counted and recorded once the minute since has passed.
        long[] counted = new long[2];
        await("the failed logins from " + attacker + " audited with their count", Duration.ofSeconds(90), () -> {
            try {
                long[] now = loginFailureRecords(attacker, password);
                counted[0] = now[0];
                counted[1] = now[1];
                return now[1] >= 10_000;
            } catch (Exception e) {
                return false;
            }
        });
        long minutes = Duration.between(start, Instant.now()).toMinutes();
        assertEquals("every failure is counted once", 10_000, counted[1]);
        assertTrue(counted[0] + " records in " + minutes + " minute(s)", counted[0] >= 2 && counted[0] <= minutes + 2);
    }

    /** {records, sum of their counts} of the LOGIN_FAILURE audit records from {@code address}. */
    private long[] loginFailureRecords(String address, String password) throws Exception {
        String trail = get("/api/audit?limit=10000", "admin", password).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"remoteAddress\" : \"" + java.util.regex.Pattern.quote(address)
                + "\",\\s*\"action\" : \"LOGIN_FAILURE\"[^}]*?\"detail\" : \"(\\d+) failed login").matcher(trail);
        long records = 0;
        long sum = 0;
        while (m.find()) {
            records++;
            sum += Long.parseLong(m.group(1));
        }
        return new long[] {records, sum};
    }

    /**
     * Issue 20 item 3: HTTPS on its port with the certificate generated on first start (the one in data/, whose
     * fingerprint health shows), TLS 1.2 or 1.3; a client trusting exactly that certificate logs in over it.
     */
    @Test
    public void httpsServesTheGeneratedCertificateWhoseFingerprintHealthShows() throws Exception {
        String password = adminPassword();
        int port = Integer.parseInt(System.getProperty("carebus.it.https.port"));
        await("HTTPS listening", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        Path dir = karafData().resolve("carebus/tls");
        java.security.KeyStore keystore = java.security.KeyStore.getInstance("PKCS12");
        char[] storePassword = Files.readString(dir.resolve("https.p12.password")).strip().toCharArray();
        try (InputStream in = Files.newInputStream(dir.resolve("https.p12"))) {
            keystore.load(in, storePassword);
        }
        java.security.cert.X509Certificate certificate =
                (java.security.cert.X509Certificate) keystore.getCertificate(keystore.aliases().nextElement());
        String fingerprint = java.util.HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));

        String health = get("/api/health", "admin", password).body();
        assertTrue(health, health.contains(fingerprint));
        assertFalse("anonymous health is the status only", get("/api/health").body().contains(fingerprint));

        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("carebus", certificate);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            javax.net.ssl.SSLParameters parameters = new javax.net.ssl.SSLParameters();
            parameters.setProtocols(new String[] {protocol});
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls).sslParameters(parameters)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> whoami = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/whoami"))
                    .header("Authorization", basic("admin", password)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(protocol + ": " + whoami.body(), 200, whoami.statusCode());
            assertEquals(protocol, whoami.sslSession().orElseThrow().getProtocol());
            assertEquals(fingerprint, java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(java.security.MessageDigest
                    .getInstance("SHA-256").digest(whoami.sslSession().orElseThrow().getPeerCertificates()[0].getEncoded())));
        }
    }

    /**
     * Issue 20 item 3: plain HTTP and the SSH console listen on loopback only, HTTPS on every interface. Read from the
     * kernel's table of listening sockets, not inferred from configuration.
     */
    @Test
    public void plainHttpAndSshAreBoundToLoopbackOnlyAndHttpsToEveryInterface() throws Exception {
        adminPassword();
        int http = Integer.parseInt(System.getProperty(HTTP_PORT));
        int https = Integer.parseInt(System.getProperty("carebus.it.https.port"));
        java.util.Properties shell = new java.util.Properties();
        try (InputStream in = Files.newInputStream(karafBase().resolve("etc/org.apache.karaf.shell.cfg"))) {
            shell.load(in);
        }
        int ssh = Integer.parseInt(shell.getProperty("sshPort").strip());
        await("HTTPS listening", Duration.ofSeconds(60), () -> !listening(https).isEmpty());
        assertEquals(List.of("127.0.0.1"), listening(http));
        assertEquals(List.of("127.0.0.1"), listening(ssh));
        assertEquals(List.of("0.0.0.0"), listening(https));
    }

    /** The local addresses of the sockets listening on {@code port}, from /proc/net/tcp and tcp6 (IPv4 form). */
    private static List<String> listening(int port) {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.strip().split("\\s+");
                String[] local = f[1].split(":");
                if (!"0A".equals(f[3]) || Integer.parseInt(local[1], 16) != port) {
                    continue;
                }
                String hex = local[0];
                if (hex.length() == 32) {
                    // IPv6: all zeros is the wildcard; ::ffff:a.b.c.d and ::1 name IPv4 loopback's peers.
                    addresses.add(hex.equals("0".repeat(32)) ? "0.0.0.0" : hex.equals("00000000000000000000000001000000") ? "127.0.0.1"
                            : hex.startsWith("0000000000000000FFFF0000") ? ipv4(hex.substring(24)) : hex);
                } else {
                    addresses.add(ipv4(hex));
                }
            }
        }
        return addresses;
    }

    /** /proc/net/tcp writes an IPv4 address as the little-endian hex of its 32 bits. */
    private static String ipv4(String hex) {
        long v = Long.parseLong(hex, 16);
        return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
    }

    /** Reads the body a response head announces (Content-Length), so the next response on the connection can be read. */
    private static void skipBody(Socket socket, String head) throws IOException {
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
        if (length.find()) {
            socket.getInputStream().readNBytes(Integer.parseInt(length.group(1)));
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing what the appliance may have closed already
            }
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        await("port " + port + " listening", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Heap in use in the appliance's JVM (this test runs inside it) after forced collections. */
    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static volatile boolean validatorLoaded;

    /**
     * The heap after GC once the appliance has settled, so that what it loads in the background after boot is not
     * counted as the attack's: the FHIR validator loaded (the R4 definitions it reads go into the heap; a POST to
     * /fhir waits for them, and an Observation without status and code is refused by the validator, 422, without
     * reaching a route), then two measurements 200 ms apart within 2 MB of each other. (Without this, the validator
     * loading during the test once showed as 145 MB of growth.)
     */
    private long settledHeap() throws Exception {
        if (!validatorLoaded) {
            HttpResponse<String> invalid = http(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + System.getProperty(HTTP_PORT)
                    + "/fhir/Observation")).timeout(Duration.ofSeconds(120)).header("Authorization", basic("admin", adminPassword()))
                    .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Observation\"}"))
                    .build());
            assertEquals(invalid.body(), 422, invalid.statusCode());
            validatorLoaded = true;
        }
        long[] last = {heapAfterGc()};
        await("the heap to settle after GC", Duration.ofSeconds(30), () -> {
            long now = heapAfterGc();
            boolean settled = Math.abs(now - last[0]) < 2L * MB;
            last[0] = now;
            return settled;
        });
        return last[0];
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static void writeQuietly(Socket socket, byte[] bytes, int length) {
        try {
            socket.getOutputStream().write(bytes, 0, Math.min(length, bytes.length));
            socket.getOutputStream().flush();
        } catch (IOException refused) {
            // the listener may cut the connection before all of it is sent; what it answered is what is checked
        }
    }

    private List<MessageSummary> stored(String controlId) {
        return store.search(new MessageQuery(controlId, null, null, null, null, null, null, null, 10));
    }

    private List<MessageSummary> fhirMessagesSince(Instant since) {
        return store.search(new MessageQuery(null, null, null, null, since, null, null, null, 1000)).stream()
                .filter(m -> "FHIR".equals(m.protocol())).toList();
    }

    // DICOM upper layer, as little of it as the attacks need (PS3.8)

    private static void writeItem(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] aeTitle(String ae) {
        return ascii(String.format("%-16s", ae));
    }

    /** Sends an A-ASSOCIATE-RQ for Verification and reads the A-ASSOCIATE-AC. */
    private static void associate(Socket socket, String callingAe) throws IOException {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        writeItem(items, 0x10, ascii("1.2.840.10008.3.1.1.1"));
        ByteArrayOutputStream context = new ByteArrayOutputStream();
        context.writeBytes(new byte[] {1, 0, 0, 0});
        writeItem(context, 0x30, ascii("1.2.840.10008.1.1"));
        writeItem(context, 0x40, ascii("1.2.840.10008.1.2"));
        writeItem(items, 0x20, context.toByteArray());
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        writeItem(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        writeItem(user, 0x52, ascii("1.2.3.4.5"));
        writeItem(items, 0x50, user.toByteArray());
        ByteBuffer pdu = ByteBuffer.allocate(6 + 68 + items.size());
        pdu.put((byte) 0x01).put((byte) 0).putInt(68 + items.size());
        pdu.putShort((short) 1).putShort((short) 0).put(aeTitle("CAREBUS")).put(aeTitle(callingAe)).put(new byte[32]);
        pdu.put(items.toByteArray());
        socket.getOutputStream().write(pdu.array());
        InputStream in = socket.getInputStream();
        int type = in.read();
        assertEquals("A-ASSOCIATE-AC expected", 0x02, type);
        byte[] header = in.readNBytes(5);
        int length = ByteBuffer.wrap(header, 1, 4).getInt();
        assertEquals(length, in.readNBytes(length).length);
    }

    /** One P-DATA-TF with one command fragment (message control header 0x01: command, not the last fragment). */
    private static byte[] commandFragment(int size) {
        ByteBuffer pdu = ByteBuffer.allocate(6 + 6 + size);
        pdu.put((byte) 0x04).put((byte) 0).putInt(6 + size);
        pdu.putInt(2 + size).put((byte) 1).put((byte) 0x01);
        return pdu.array();
    }

    /** Whether the SCP answered (A-ABORT) or closed; false when the socket's read time-out passed without either. */
    private static boolean abortedOrClosed(Socket socket) throws IOException {
        try {
            int type = socket.getInputStream().read();
            return type < 0 || type == 0x07;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Sends command fragments until the connection is cut: the bytes sent by then, or -1 when {@code limit} went uncut. */
    private static long flood(Socket socket, long limit) {
        byte[] fragment = commandFragment(16 * 1024);
        long sent = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (sent < limit) {
                out.write(fragment);
                sent += fragment.length;
            }
            out.flush();
            return -1;
        } catch (IOException cut) {
            return sent;
        }
    }

    private static void assertEchoAnswered(Duration within) throws Exception {
        long start = System.nanoTime();
        String echo = run(List.of("echoscu", "-v", "-to", "5", "-ta", "5", "-td", "5", "-aec", "CAREBUS", "127.0.0.1",
                Integer.toString(dicomPort())));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(echo, echo.startsWith("0:") && echo.contains("Echo Response (Success)"));
        assertTrue("C-ECHO answered after " + took.toMillis() + " ms", took.compareTo(within) < 0);
    }

    /** Runs a dcmtk tool (at most 60 s): its exit code, a colon, and its output. */
    private static String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TCP_NODELAY", "1");
        Process p = builder.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(command.get(0) + " did not finish");
            }
            return p.exitValue() + ":" + new String(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String uid() {
        return "2.25." + new java.math.BigInteger(1, UUID.randomUUID().toString().replace("-", "").getBytes(StandardCharsets.US_ASCII))
                .mod(java.math.BigInteger.TEN.pow(36));
    }

    /** A synthetic CT instance of {@code side}² 16-bit pixels (1024: 2 MB), written with PixelMed. */
    private static byte[] ct(String sopInstance, int side) throws Exception {
        AttributeList list = new AttributeList();
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstance);
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), uid());
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), uid());
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.Modality), "CT");
        put(list, new com.pixelmed.dicom.LongStringAttribute(TagFromName.PatientID), "IT-ATTACK");
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        for (Object[] us : new Object[][] {{TagFromName.Rows, side}, {TagFromName.Columns, side}, {TagFromName.SamplesPerPixel, 1},
                {TagFromName.BitsAllocated, 16}, {TagFromName.BitsStored, 16}, {TagFromName.HighBit, 15}, {TagFromName.PixelRepresentation, 0}}) {
            Attribute a = new UnsignedShortAttribute((com.pixelmed.dicom.AttributeTag) us[0]);
            a.addValue((Integer) us[1]);
            list.put(a);
        }
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(new short[side * side]);
        list.put(pixels);
        FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "ITEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, "1.2.840.10008.1.2.1", true, true);
        return out.toByteArray();
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws Exception {
        attribute.addValue(value);
        list.put(attribute);
    }

    // HL7v2

    private static String batch(int messages, String prefix) {
        StringBuilder b = new StringBuilder("BHS|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261128||||" + prefix + "\r");
        for (int i = 0; i < messages; i++) {
            b.append(String.format(ADT, prefix + "-" + i));
        }
        return b.append("BTS|").append(messages).append('\r').toString();
    }

    private static String exchangeFrom(String localAddress, String message) throws IOException {
        try (Socket socket = connectFrom(localAddress, mllpPort())) {
            socket.getOutputStream().write(MllpClient.frame(message));
            return MllpClient.readFrame(socket.getInputStream());
        }
    }

    // HTTP, raw: what a client that lies about or hides its body's length sends

    private static String head(String path, String contentType, String password, String framing) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic("admin", password) + "\r\nContent-Type: "
                + contentType + "\r\n" + framing + "\r\n\r\n";
    }

    /** The answer's status line and headers, read until the blank line. */
    private static String readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * A request whose Content-Length is over the cap, of which only the first kilobyte is sent (Jetty dispatches a
     * request once its first content arrives), or, with {@code expectContinue}, nothing: the answer must come without
     * the rest, so a server that reads on waits and the read time-out fails the test.
     */
    private static String declaredTooLarge(String path, String contentType, long length, String password, boolean expectContinue)
            throws IOException {
        try (Socket socket = connectFrom("127.0.0.2", Integer.parseInt(System.getProperty(HTTP_PORT)))) {
            String framing = "Content-Length: " + length + (expectContinue ? "\r\nExpect: 100-continue" : "");
            socket.getOutputStream().write(head(path, contentType, password, framing).getBytes(StandardCharsets.ISO_8859_1));
            if (!expectContinue) {
                byte[] start = new byte[1024];
                Arrays.fill(start, (byte) 'A');
                socket.getOutputStream().write(start);
            }
            socket.getOutputStream().flush();
            return readHead(socket);
        }
    }

    /**
     * A chunked body of {@code bytes} bytes that never ends (no last chunk): only a server that stops reading at its
     * cap answers; one that reads on waits for the rest (and the read time-out fails the test).
     */
    private static String chunkedPastTheCap(String path, String contentType, int bytes, String password) throws IOException {
        try (Socket socket = connectFrom("127.0.0.3", Integer.parseInt(System.getProperty(HTTP_PORT)))) {
            OutputStream out = socket.getOutputStream();
            out.write(head(path, contentType, password, "Transfer-Encoding: chunked").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'A');
            try {
                for (int left = bytes; left > 0; left -= chunk.length) {
                    int n = Math.min(left, chunk.length);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(chunk, 0, n);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            } catch (IOException cut) {
                // answered and closed while the rest was still being sent: the answer is read below
            }
            return readHead(socket);
        }
    }
}
