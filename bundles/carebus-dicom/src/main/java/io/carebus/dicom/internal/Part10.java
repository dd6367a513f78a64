package io.carebus.dicom.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Positions a Part 10 file's stream at its data set: past the preamble, "DICM" and the file meta group. */
final class Part10 {

    private Part10() {
    }

    /**
     * Skips to the data set, relying on File Meta Information Group Length (0002,0000), which PS3.10 requires first
     * and which every file the gateway writes has.
     */
    static InputStream dataSet(InputStream file) throws IOException {
        DataInputStream in = new DataInputStream(file);
        byte[] head = new byte[144];
        in.readFully(head);
        if (!"DICM".equals(new String(head, 128, 4, StandardCharsets.US_ASCII)) || head[132] != 2 || head[133] != 0 || head[134] != 0
                || head[135] != 0) {
            throw new IOException("not a DICOM Part 10 file with a file meta group length");
        }
        long length = (head[140] & 0xFFL) | (head[141] & 0xFFL) << 8 | (head[142] & 0xFFL) << 16 | (head[143] & 0xFFL) << 24;
        in.skipNBytes(length);
        return in;
    }
}
