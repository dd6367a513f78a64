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
 * Nothing acknowledged is lost: the built appliance takes HL7v2 on 8 connections, is killed with SIGKILL in the
 * middle of it, is started again (it must come back healthy), and every message that had been answered AA must be in
 * its store exactly once. Runs the tarball as a process, not under Pax Exam, because it has to kill it.
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
        configure(http, mllp);
        start();
        awaitHealthy(http);

        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int conn = c;
            Thread t = new Thread(() -> send(mllp, conn, acked, killed));
            senders.add(t);
            t.start();
        }
        Thread.sleep(3000);
        long pid = Long.parseLong(Files.readString(home.resolve("karaf.pid")).strip());
        killed.set(true);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (Thread t : senders) {
            t.join(30_000);
        }
        waitForExit();
        assertTrue("the load ran long enough to matter: " + acked.size(), acked.size() > 100);

        start();
        awaitHealthy(http);
        awaitNothingUnprocessed(http);
        run(home.resolve("bin/stop").toString());
        waitForExit();

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

    private static void send(int port, int conn, Set<String> acked, AtomicBoolean killed) {
        int i = 0;
        while (!killed.get()) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                while (true) {
                    String id = "CRASH-" + conn + "-" + i++;
                    out.write(frame(String.format(ADT, id)));
                    String ack = readFrame(in);
                    if (ack.contains("\rMSA|AA|" + id)) {
                        acked.add(id);
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

    private void configure(int http, int mllp) throws IOException {
        edit("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(http));
        edit("etc/io.carebus.hl7-main.cfg", "port", Integer.toString(mllp));
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
