package io.carebus.bench.dicom;

import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.Orthanc;
import io.carebus.dicom.testing.TestImages;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DICOM ingest: storescu (TCP_NODELAY=1) of N generated 512×512 16-bit CT instances to CareBus (the running appliance,
 * store-before-success: file forced to disk, store row committed, audit record committed, before each Success), to
 * dcmtk's storescp (writes the file, no fsync, no index), to the same storescp made durable the one way it offers
 * ({@code --exec-on-reception "sync <file> <folder>" --exec-sync}: coreutils' sync forces the file and its folder
 * before storescp answers, at the cost of starting two processes per instance) and to Orthanc (file + SQLite index),
 * in the same run; on one
 * association, then on 4 at once. Every peer gets the same files; each figure is the median of {@code rounds} measured
 * rounds, the peers taking turns so that a slow spell of the shared disk does not fall on one of them.
 * It also measures the <b>durable floor</b> of this disk: writing each instance to a new file and forcing file and
 * folder, one after another with no DICOM at all: the least any receiver that keeps its promise of store before
 * success spends per instance here (CareBus forces file and folder, then commits its store and audit rows).
 * Usage: DicomBench <instances> <CareBus DICOM port> <work dir> [rounds=3]
 */
public final class DicomBench {

    private DicomBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int carebusPort = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        // Every round sends new instances (new UIDs), so no peer sees a resend.
        System.out.printf("generating %d CT instances 512x512x16 bit for each of %d rounds on 1 and on 4 associations...%n", count, rounds);
        // As many as a round: 20 left the JVM peer mid-compilation, so its first measured round ran at two thirds of the others.
        List<Path> warmUp = TestImages.ctSeries(Files.createDirectories(work.resolve("instances/warm-up")), count, 512);
        java.util.Map<String, List<Path>> sets = new java.util.HashMap<>();
        long bytes = 0;
        for (int associations : new int[] {1, 4}) {
            for (int r = 0; r < rounds; r++) {
                List<Path> files = TestImages.ctSeries(Files.createDirectories(work.resolve("instances/" + associations + "-" + r)), count, 512);
                sets.put(associations + "-" + r, files);
                for (Path f : files) {
                    bytes += Files.size(f);
                }
            }
        }
        System.out.printf("%d instances per round, %.1f MB%n", count, bytes / 1e6 / sets.size());

        int storescpPort = Orthanc.freePort();
        Process storescp = Dcmtk.start(List.of("storescp", "-od", Files.createDirectories(work.resolve("storescp")).toString(),
                String.valueOf(storescpPort)));
        int syncedPort = Orthanc.freePort();
        Process synced = Dcmtk.start(List.of("storescp", "-od", Files.createDirectories(work.resolve("storescp-sync")).toString(),
                "--exec-on-reception", "sync '#p/#f' '#p'", "--exec-sync", String.valueOf(syncedPort)));
        awaitPort(storescpPort);
        awaitPort(syncedPort);
        try (Orthanc orthanc = Orthanc.start(Files.createDirectories(work.resolve("orthanc")))) {
            String[] peers = {"CareBus", "storescp", "storescp+sync", "Orthanc"};
            int[] ports = {carebusPort, storescpPort, syncedPort, orthanc.dicomPort()};
            String[] aes = {"CAREBUS", "ANY-SCP", "ANY-SCP", Orthanc.AE};
            for (int p = 0; p < peers.length; p++) {
                // warm-up on each peer (JIT, caches), on 4 associations so the concurrent paths are compiled too
                send(warmUp, aes[p], ports[p], 4);
            }
            for (int associations : new int[] {1, 4}) {
                double[][] rates = new double[peers.length][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int p = 0; p < peers.length; p++) {
                        rates[p][r] = send(sets.get(associations + "-" + r), aes[p], ports[p], associations);
                    }
                }
                double[] median = new double[peers.length];
                for (int p = 0; p < peers.length; p++) {
                    median[p] = median(rates[p]);
                    System.out.printf(Locale.ROOT, "%-13s %d association(s): %8.1f instances/s (median of %d: %s)%n", peers[p],
                            associations, median[p], rounds, java.util.Arrays.toString(round(rates[p])));
                }
                System.out.printf(Locale.ROOT, "ratio %d association(s): CareBus/storescp = %.2f, CareBus/storescp+sync = %.2f,"
                        + " CareBus/Orthanc = %.2f%n", associations, median[0] / median[1], median[0] / median[2], median[0] / median[3]);
            }
            double floor = durableFloor(sets.get("1-0"), Files.createDirectories(work.resolve("floor")));
            System.out.printf(Locale.ROOT, "durable floor of this disk (new file + force file + force folder, one at a time, no DICOM):"
                    + " %.1f instances/s%n", floor);
        } finally {
            storescp.destroy();
            synced.destroy();
        }
    }

    /** Sends the files over {@code associations} storescu processes at once; instances/s. */
    private static double send(List<Path> files, String ae, int port, int associations) throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (int a = 0; a < associations; a++) {
            commands.add(new ArrayList<>(List.of("storescu", "-aet", "BENCH", "-aec", ae, "127.0.0.1", String.valueOf(port))));
        }
        for (int i = 0; i < files.size(); i++) {
            commands.get(i % associations).add(files.get(i).toString());
        }
        long start = System.nanoTime();
        List<Process> running = new ArrayList<>();
        for (List<String> command : commands) {
            running.add(Dcmtk.start(command));
        }
        for (Process p : running) {
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("storescu to " + ae + " failed: " + out);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return files.size() / seconds;
    }

    /** Instances/s for writing each file anew and forcing it and its folder to disk, sequentially. */
    private static double durableFloor(List<Path> files, Path dir) throws IOException {
        long start = System.nanoTime();
        int n = 0;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            Path target = dir.resolve(n++ + ".dcm");
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
                folder.force(true);
            }
        }
        return files.size() / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String[] round(double[] values) {
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = String.format(Locale.ROOT, "%.1f", values[i]);
        }
        return out;
    }

    private static void awaitPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }
}
