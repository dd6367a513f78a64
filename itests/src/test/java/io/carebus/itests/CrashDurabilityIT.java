package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.After;
import org.junit.Test;

/**
 * Nothing acknowledged is lost: the built appliance takes HL7v2 on 8 connections and DICOM from 2 storescu
 * associations, is killed with SIGKILL in the middle of it, is started again (it must come back healthy), and every
 * message that had been answered AA, and every instance that had been answered C-STORE Success, must be in its store
 * exactly once (instances with their file on disk). Runs the tarball as a process, not under Pax Exam, because it has
 * to kill it.
 */
public class CrashDurabilityIT {

    private static final String ADT = "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|%s|P|2.5\r"
            + "EVN||20261101120000\rPID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F\r";

    private Path home;

    /** Whatever happened, no appliance is left running (bin/stop fails on one already stopped; that is fine). */
    @After
    public void stop() throws Exception {
        if (home != null) {
            new ProcessBuilder(home.resolve("bin/stop").toString()).redirectErrorStream(true)
                    .redirectOutput(new File("/dev/null")).start().waitFor(60, TimeUnit.SECONDS);
            waitForExit();
        }
    }

    @Test
    public void everyAcknowledgedMessageSurvivesKillMinus9() throws Exception {
        home = unpack();
        int http = CareBusTestSupport.freePort();
        int mllp = CareBusTestSupport.freePort();
        int dicom = CareBusTestSupport.freePort();
        configure(http, mllp, dicom);
        start();
        awaitHealthy(http);
        List<List<Path>> dicomFiles = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            dicomFiles.add(io.carebus.dicom.testing.TestImages.ctSeries(Files.createDirectories(home.resolve("../crash-dicom-" + s)),
                    600, 256));
        }
        List<Process> storescus = new ArrayList<>();
        for (List<Path> files : dicomFiles) {
            List<String> command = new ArrayList<>(List.of("storescu", "-v", "-aec", "CAREBUS", "localhost", Integer.toString(dicom)));
            files.forEach(f -> command.add(f.toString()));
            storescus.add(io.carebus.dicom.testing.Dcmtk.start(command));
        }
        // Worker threads never throw into nowhere: whatever fails in them before the kill is collected and fails the test.
        java.util.Queue<Throwable> workerFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        for (Process p : storescus) {
            Thread t = new Thread(() -> {
                try {
                    successes(p, succeeded);
                } catch (RuntimeException e) {
                    workerFailures.add(e);
                }
            });
            readers.add(t);
            t.start();
        }

        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicIntegerArray ackedPerConnection = new java.util.concurrent.atomic.AtomicIntegerArray(8);
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                try {
                    send(mllp, conn, sent, acked, ackedPerConnection, killed);
                } catch (RuntimeException e) {
                    workerFailures.add(e);
                }
            });
            senders.add(t);
            t.start();
        }
        // Kill once the load is under way on every connection and on both DICOM associations (not after a fixed window).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (!(java.util.stream.IntStream.range(0, 8).allMatch(c -> ackedPerConnection.get(c) >= 5) && succeeded.size() >= 10)) {
            if (System.nanoTime() > deadline || !workerFailures.isEmpty()) {
                break;
            }
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(home.resolve("karaf.pid")).strip());
        killed.set(true);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (Thread t : senders) {
            t.join(30_000);
        }
        for (Thread t : readers) {
            t.join(30_000);
        }
        waitForExit();
        if (!workerFailures.isEmpty()) {
            AssertionError failed = new AssertionError(workerFailures.size() + " worker(s) failed before the kill: " + workerFailures.peek());
            workerFailures.forEach(failed::addSuppressed);
            throw failed;
        }
        for (int c = 0; c < 8; c++) {
            assertTrue("connection " + c + " was acknowledged before the kill: " + ackedPerConnection.get(c), ackedPerConnection.get(c) >= 5);
        }
        // Bounded by what was sent: every ACK is for a message sent, every Success for a file handed to storescu, and
        // the kill cut the DICOM load short of the files given.
        assertTrue("ACKs only for messages sent", sent.containsAll(acked));
        int files = dicomFiles.stream().mapToInt(List::size).sum();
        assertTrue("the DICOM load was under way at the kill: " + succeeded.size(), succeeded.size() >= 10);
        assertTrue("the kill cut the DICOM load short of the " + files + " files sent: " + succeeded.size(), succeeded.size() < files);

        start();
        awaitHealthy(http);
        awaitNothingUnprocessed(http);
        run(home.resolve("bin/stop").toString());
        waitForExit();

        Map<String, Integer> instances = new HashMap<>();
        List<String> missingFiles = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("data/carebus/store") + ";ACCESS_MODE_DATA=r", "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT m.control_id, COUNT(*), MIN(d.file_path) FROM message m LEFT JOIN dicom_instance d"
                     + " ON d.message_id = m.id WHERE m.protocol = 'DICOM' GROUP BY m.control_id")) {
            while (rs.next()) {
                instances.put(rs.getString(1), rs.getInt(2));
                if (rs.getString(3) == null || !Files.isRegularFile(home.resolve("data/carebus/dicom").resolve(rs.getString(3)))) {
                    missingFiles.add(rs.getString(1));
                }
            }
        }
        List<String> lostInstances = succeeded.stream().filter(uid -> !instances.containsKey(uid)).sorted().toList();
        assertEquals("C-STORE Success but not stored (of " + succeeded.size() + ")", List.of(), lostInstances);
        assertEquals("instances stored more than once", List.of(),
                succeeded.stream().filter(uid -> instances.get(uid) != 1).toList());
        assertEquals("stored instances whose file is not on disk", List.of(),
                missingFiles.stream().filter(succeeded::contains).toList());

        Map<String, Integer> stored = new HashMap<>();
        List<String> unprocessed = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("data/carebus/store") + ";ACCESS_MODE_DATA=r", "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT control_id, COUNT(*), MIN(status) FROM message GROUP BY control_id")) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getInt(2));
                if (!"PROCESSED".equals(rs.getString(3))) {
                    unprocessed.add(rs.getString(1) + " " + rs.getString(3));
                }
            }
        }
        List<String> processedTwice = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("data/carebus/store") + ";ACCESS_MODE_DATA=r", "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT m.control_id, COUNT(*) FROM message m JOIN message_history h"
                     + " ON h.message_id = m.id WHERE h.status = 'PROCESSED' GROUP BY m.control_id HAVING COUNT(*) <> 1")) {
            while (rs.next()) {
                processedTwice.add(rs.getString(1) + " x" + rs.getInt(2));
            }
        }
        assertEquals("every stored message was processed after the restart", List.of(), unprocessed);
        assertEquals("each message is recorded PROCESSED exactly once", List.of(), processedTwice);
        List<String> lost = acked.stream().filter(id -> !stored.containsKey(id)).sorted().toList();
        assertEquals("acknowledged but not stored (of " + acked.size() + ")", List.of(), lost);
        List<String> twice = acked.stream().filter(id -> stored.get(id) != 1).toList();
        assertEquals("stored more than once", List.of(), twice);
    }

    /**
     * Reads storescu -v: "Sending file: F" comes before each request, "Received Store Response (Success)" after it;
     * records the SOP Instance UID of each file that got Success.
     */
    private static void successes(Process storescu, Set<String> stored) {
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(storescu.getInputStream(),
                StandardCharsets.UTF_8))) {
            String file = null;
            String line;
            while ((line = out.readLine()) != null) {
                int at = line.indexOf("Sending file: ");
                if (at >= 0) {
                    file = line.substring(at + "Sending file: ".length()).strip();
                } else if (line.contains("Received Store Response (Success)") && file != null) {
                    com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
                    list.read(new File(file));
                    stored.add(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list,
                            com.pixelmed.dicom.TagFromName.SOPInstanceUID));
                    file = null;
                }
            }
        } catch (IOException | com.pixelmed.dicom.DicomException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(int port, int conn, Set<String> sent, Set<String> acked,
                             java.util.concurrent.atomic.AtomicIntegerArray ackedPerConnection, AtomicBoolean killed) {
        int i = 0;
        while (!killed.get()) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                while (true) {
                    String id = "CRASH-" + conn + "-" + i++;
                    sent.add(id);
                    out.write(frame(String.format(ADT, id)));
                    String ack = readFrame(in);
                    if (ack.contains("\rMSA|AA|" + id)) {
                        acked.add(id);
                        ackedPerConnection.incrementAndGet(conn);
                    } else if (!killed.get()) {
                        throw new IllegalStateException("connection " + conn + ": no AA for " + id + " before the kill: " + ack);
                    }
                }
            } catch (IOException e) {
                if (!killed.get()) {
                    throw new IllegalStateException("connection " + conn + " failed before the kill", e);
                }
            }
        }
    }

    private Path unpack() throws Exception {
        Path target = Path.of("target", "crash").toAbsolutePath();
        if (Files.exists(target)) {
            run("rm", "-rf", target.toString());
        }
        Files.createDirectories(target);
        run("tar", "xzf", System.getProperty("carebus.distribution"), "-C", target.toString(), "--strip-components=1");
        return target;
    }

    private void configure(int http, int mllp, int dicom) throws IOException {
        edit("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(http));
        edit("etc/io.carebus.hl7-main.cfg", "port", Integer.toString(mllp));
        edit("etc/io.carebus.dicom.cfg", "port", Integer.toString(dicom));
        edit("etc/io.carebus.dicom.cfg", "study.quiet.seconds", "1");
        edit("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(CareBusTestSupport.freePort()));
        edit("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(CareBusTestSupport.freePort()));
        edit("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(CareBusTestSupport.freePort()));
    }

    private void edit(String file, String key, String value) throws IOException {
        Path path = home.resolve(file);
        List<String> out = new ArrayList<>();
        boolean found = false;
        for (String line : Files.readAllLines(path)) {
            if (line.matches("\\s*" + java.util.regex.Pattern.quote(key) + "\\s*=.*")) {
                out.add(key + " = " + value);
                found = true;
            } else {
                out.add(line);
            }
        }
        if (!found) {
            out.add(key + " = " + value);
        }
        Files.write(path, out);
    }

    /** The dispatcher resumes what the crash left RECEIVED; wait until the browser shows none left. */
    private void awaitNothingUnprocessed(int http) throws Exception {
        String password = Files.readString(home.resolve("data/carebus/initial-admin-password")).strip();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://localhost:" + http + "/api/messages?status=RECEIVED&limit=1")
                    .openConnection();
            c.setRequestProperty("Authorization", auth);
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (c.getResponseCode() == 200 && body.replace(" ", "").contains("\"messages\":[]")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("messages still RECEIVED 60 s after the restart");
    }

    private void start() throws Exception {
        run(home.resolve("bin/start").toString());
    }

    private void awaitHealthy(int http) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://localhost:" + http + "/api/health").openConnection();
                c.setConnectTimeout(1000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("appliance in " + home + " not healthy within 120 s");
    }

    private void waitForExit() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean running = ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                    .map(cmd -> cmd.contains("karaf.base=" + home)).orElse(false));
            if (!running) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("appliance in " + home + " did not exit");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }

    private static byte[] frame(String message) {
        return MllpClient.frame(message);
    }

    private static String readFrame(InputStream in) throws IOException {
        return MllpClient.readFrame(in);
    }
}
