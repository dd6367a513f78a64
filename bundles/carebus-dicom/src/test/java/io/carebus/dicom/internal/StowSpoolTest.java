package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STOW-RS bodies go to disk, are cut off at the cap, and only so many requests run at once. */
class StowSpoolTest {

    @TempDir
    Path dir;

    /** An endless body that counts what was taken from it. */
    private static final class Endless extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            read += len;
            return len;
        }
    }

    private static final long PLENTY = Long.MAX_VALUE;

    @Test
    void aBodyOverTheCapIsCutOffAndNothingIsLeft() throws Exception {
        StowSpool spool = new StowSpool(dir, 1 << 20, 2, 0, () -> PLENTY);
        Endless body = new Endless();
        assertThatThrownBy(() -> spool.spool(body)).isInstanceOf(StowSpool.TooLargeException.class);
        assertThat(body.read).isLessThanOrEqualTo((1 << 20) + 64 * 1024);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aBodyWithinTheCapIsOnDiskAsSent() throws Exception {
        StowSpool spool = new StowSpool(dir, 1 << 20, 2, 0, () -> PLENTY);
        byte[] sent = "--b\r\nContent-Type: application/dicom\r\n\r\nabc\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII);
        Path file = spool.spool(new ByteArrayInputStream(sent));
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(file.getFileName().toString()).endsWith(".part");
        assertThat(Files.readAllBytes(file)).isEqualTo(sent);
    }

    @Test
    void aBodyThatWouldFillTheDiskIsRefused() throws Exception {
        StowSpool spool = new StowSpool(dir, 1 << 30, 2, 512L << 20, () -> 100L << 20);
        assertThatThrownBy(() -> spool.spool(new Endless())).isInstanceOf(StowSpool.StorageFullException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void onlySoManyRequestsAtOnce() {
        StowSpool spool = new StowSpool(dir, 1 << 20, 2, 0, () -> PLENTY);
        assertThat(List.of(spool.tryEnter(), spool.tryEnter(), spool.tryEnter())).containsExactly(true, true, false);
        spool.leave();
        assertThat(spool.tryEnter()).isTrue();
    }

    @Test
    void partsAreFoundInTheFileWithBareLineFeedsAndEmptyParts() throws Exception {
        byte[] body = ("preamble\n--b\nContent-Type: application/dicom\n\nfirst\r\n--b \r\nContent-Type: x\r\n\r\n\r\n--b\n"
                + "\nx--b\n--b--\n").getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve("body"), body);
        List<MultipartRelated.Part> parts = MultipartRelated.parse(file, "b");
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).contentType()).isEqualTo("application/dicom");
        assertThat(content(file, parts.get(0))).isEqualTo("first");
        assertThat(parts.get(1).contentType()).isEqualTo("x");
        assertThat(content(file, parts.get(1))).isEmpty();
        // the boundary elsewhere than at a line's start is content
        assertThat(content(file, parts.get(2))).isEqualTo("x--b");
    }

    private static String content(Path file, MultipartRelated.Part part) throws Exception {
        try (InputStream in = MultipartRelated.open(file, part)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
