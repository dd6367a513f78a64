package io.carebus.dicom.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a top-level Pixel Data element ends, read from its header (and, when encapsulated, its item headers) without
 * reading the pixels. When that end is exactly the end of the file, the data set is whole: every byte is accounted
 * for by an element PixelMed has read or by the pixel data's declared lengths. Anything else (a truncated or lying
 * length, elements after the pixel data, a byte order this does not walk) answers "unknown", and the caller reads the
 * whole data set instead. This spares reading back and decoding hundreds of kilobytes of pixels per instance before
 * the C-STORE response, which is most of the parse time for CT and MR.
 */
final class PixelDataExtent {

    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int ITEM = 0xE000;
    private static final int SEQUENCE_DELIMITER = 0xE0DD;

    private PixelDataExtent() {
    }

    /**
     * @param file the stored file (meta information and data set)
     * @param afterTag the offset just after the Pixel Data tag (what PixelMed's read up to that tag returns)
     * @param explicitVr whether the data set's transfer syntax is explicit VR (little endian is assumed: the caller
     *        checks)
     * @return true when the pixel data ends exactly at the end of the file
     */
    static boolean endsTheFile(Path file, long afterTag, boolean explicitVr) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = afterTag;
            long length;
            if (explicitVr) {
                ByteBuffer header = read(channel, position, 8);
                if (header == null) {
                    return false;
                }
                String vr = new String(new byte[] {header.get(0), header.get(1)}, java.nio.charset.StandardCharsets.US_ASCII);
                if (!vr.equals("OB") && !vr.equals("OW") && !vr.equals("UN")) {
                    return false;
                }
                length = header.getInt(4) & 0xFFFFFFFFL;
                position += 8;
            } else {
                ByteBuffer header = read(channel, position, 4);
                if (header == null) {
                    return false;
                }
                length = header.getInt(0) & 0xFFFFFFFFL;
                position += 4;
            }
            if (length != UNDEFINED) {
                return position + length == size;
            }
            // Encapsulated: items (the offset table, then fragments), closed by a sequence delimiter of length 0.
            while (true) {
                ByteBuffer item = read(channel, position, 8);
                if (item == null || (item.getShort(0) & 0xFFFF) != 0xFFFE) {
                    return false;
                }
                int element = item.getShort(2) & 0xFFFF;
                long itemLength = item.getInt(4) & 0xFFFFFFFFL;
                position += 8;
                if (element == SEQUENCE_DELIMITER) {
                    return itemLength == 0 && position == size;
                }
                if (element != ITEM || itemLength == UNDEFINED || position + itemLength > size) {
                    return false;
                }
                position += itemLength;
            }
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                return null;
            }
        }
        return buffer;
    }
}
