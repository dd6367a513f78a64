package io.carebus.dicom.internal.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DIMSE command set (PS3.7 §6.3, §E.1): group 0000 elements, always Implicit VR Little Endian. Small enough to
 * encode and decode here; the data sets that follow are PixelMed's business.
 */
public final class CommandSet {

    public static final int AFFECTED_SOP_CLASS = 0x0002;
    public static final int COMMAND_FIELD = 0x0100;
    public static final int MESSAGE_ID = 0x0110;
    public static final int MESSAGE_ID_RESPONDED_TO = 0x0120;
    public static final int PRIORITY = 0x0700;
    public static final int DATA_SET_TYPE = 0x0800;
    public static final int STATUS = 0x0900;
    public static final int ERROR_COMMENT = 0x0902;
    public static final int AFFECTED_SOP_INSTANCE = 0x1000;
    public static final int MOVE_ORIGINATOR_AE = 0x1030;
    public static final int MOVE_ORIGINATOR_ID = 0x1031;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    /** CommandDataSetType: no data set follows. */
    public static final int NO_DATA_SET = 0x0101;

    public static final String VERIFICATION = "1.2.840.10008.1.1";

    private final TreeMap<Integer, byte[]> elements = new TreeMap<>();

    public static CommandSet parse(byte[] bytes) throws Pdu.ProtocolException {
        CommandSet command = new CommandSet();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            if (in.remaining() < 8) {
                throw new Pdu.ProtocolException("truncated command element");
            }
            int group = in.getShort() & 0xFFFF;
            int element = in.getShort() & 0xFFFF;
            long length = in.getInt() & 0xFFFFFFFFL;
            if (group != 0 || length > in.remaining()) {
                throw new Pdu.ProtocolException("malformed command set (element " + Integer.toHexString(group) + ","
                        + Integer.toHexString(element) + " of length " + length + ")");
            }
            byte[] value = new byte[(int) length];
            in.get(value);
            command.elements.put(element, value);
        }
        return command;
    }

    public static CommandSet storeRequest(String sopClass, String sopInstance, int messageId) {
        return new CommandSet().string(AFFECTED_SOP_CLASS, sopClass, (byte) 0).ushort(COMMAND_FIELD, C_STORE_RQ)
                .ushort(MESSAGE_ID, messageId).ushort(PRIORITY, 0).ushort(DATA_SET_TYPE, 0x0000)
                .string(AFFECTED_SOP_INSTANCE, sopInstance, (byte) 0);
    }

    public static CommandSet echoRequest(int messageId) {
        return new CommandSet().string(AFFECTED_SOP_CLASS, VERIFICATION, (byte) 0).ushort(COMMAND_FIELD, C_ECHO_RQ)
                .ushort(MESSAGE_ID, messageId).ushort(DATA_SET_TYPE, NO_DATA_SET);
    }

    /** The response to {@code request} with {@code status}, and an error comment (at most 64 characters) when not null. */
    public static CommandSet response(CommandSet request, int status, String errorComment) {
        CommandSet response = new CommandSet();
        String sopClass = request.string(AFFECTED_SOP_CLASS);
        if (sopClass != null) {
            response.string(AFFECTED_SOP_CLASS, sopClass, (byte) 0);
        }
        response.ushort(COMMAND_FIELD, request.ushort(COMMAND_FIELD) | 0x8000)
                .ushort(MESSAGE_ID_RESPONDED_TO, request.ushort(MESSAGE_ID)).ushort(DATA_SET_TYPE, NO_DATA_SET)
                .ushort(STATUS, status);
        if (errorComment != null && !errorComment.isEmpty()) {
            String ascii = errorComment.replaceAll("[^\\x20-\\x7E]", "?");
            response.string(ERROR_COMMENT, ascii.length() > 64 ? ascii.substring(0, 64) : ascii, (byte) ' ');
        }
        String instance = request.string(AFFECTED_SOP_INSTANCE);
        if (instance != null) {
            response.string(AFFECTED_SOP_INSTANCE, instance, (byte) 0);
        }
        return response;
    }

    public int ushort(int element) {
        byte[] value = elements.get(element);
        if (value == null || value.length < 2) {
            return -1;
        }
        return (value[0] & 0xFF) | (value[1] & 0xFF) << 8;
    }

    public String string(int element) {
        byte[] value = elements.get(element);
        if (value == null) {
            return null;
        }
        int end = value.length;
        while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) {
            end--;
        }
        return new String(value, 0, end, StandardCharsets.US_ASCII).strip();
    }

    public boolean hasDataSet() {
        return ushort(DATA_SET_TYPE) != NO_DATA_SET;
    }

    public CommandSet ushort(int element, int value) {
        elements.put(element, new byte[] {(byte) value, (byte) (value >>> 8)});
        return this;
    }

    public CommandSet string(int element, String value, byte pad) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length % 2 == 1) {
            byte[] padded = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, padded, 0, bytes.length);
            padded[bytes.length] = pad;
            bytes = padded;
        }
        elements.put(element, bytes);
        return this;
    }

    /** Implicit VR Little Endian, with the command group length first. */
    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
            if (e.getKey() == 0) {
                continue;
            }
            element(body, e.getKey(), e.getValue());
        }
        byte[] rest = body.toByteArray();
        ByteArrayOutputStream all = new ByteArrayOutputStream(rest.length + 12);
        element(all, 0, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(rest.length).array());
        all.writeBytes(rest);
        return all.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, byte[] value) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort((short) 0).putShort((short) element).putInt(value.length);
        out.writeBytes(header.array());
        out.writeBytes(value);
    }
}
