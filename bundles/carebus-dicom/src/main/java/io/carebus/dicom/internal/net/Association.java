package io.carebus.dicom.internal.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The A-ASSOCIATE-RQ and -AC PDUs (PS3.8 §9.3.2–9.3.3): what each side proposes and accepts. Parsing is strict about
 * lengths (an item running past its parent is a protocol error) and lenient about items it does not use (skipped).
 */
public final class Association {

    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.21188784359700824723188507143261539405";
    public static final String IMPLEMENTATION_VERSION = "CAREBUS_01";

    /** Presentation context results (PS3.8 Table 9-18). */
    public static final int ACCEPTANCE = 0;
    public static final int USER_REJECTION = 1;
    public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    /** A proposed presentation context: id, abstract syntax (SOP class) and the transfer syntaxes offered, in order. */
    public record Proposed(int id, String abstractSyntax, List<String> transferSyntaxes) {
    }

    /** An answered presentation context: id, result, and the one transfer syntax chosen (null unless accepted). */
    public record Answered(int id, int result, String transferSyntax) {
        public boolean accepted() {
            return result == ACCEPTANCE;
        }
    }

    /** An A-ASSOCIATE-RQ as received or to be sent. */
    public record Request(String calledAe, String callingAe, List<Proposed> contexts, long maxLength, String implementationClass,
                          String implementationVersion) {
    }

    /** An A-ASSOCIATE-AC as received or to be sent. */
    public record Accept(String calledAe, String callingAe, Map<Integer, Answered> contexts, long maxLength,
                         String implementationClass, String implementationVersion) {
    }

    private Association() {
    }

    public static Request parseRequest(byte[] body) throws Pdu.ProtocolException {
        Header header = header(body);
        List<Proposed> contexts = new ArrayList<>();
        UserInfo user = new UserInfo();
        ByteBuffer items = ByteBuffer.wrap(body, 68, body.length - 68);
        while (items.hasRemaining()) {
            ByteBuffer item = item(items);
            int type = item.get(item.position() - 4) & 0xFF;
            if (type == 0x20) {
                int id = item.get() & 0xFF;
                item.position(item.position() + 3);
                String abstractSyntax = null;
                List<String> syntaxes = new ArrayList<>();
                while (item.hasRemaining()) {
                    ByteBuffer sub = item(item);
                    int subType = sub.get(sub.position() - 4) & 0xFF;
                    if (subType == 0x30) {
                        abstractSyntax = uid(sub);
                    } else if (subType == 0x40) {
                        syntaxes.add(uid(sub));
                    }
                }
                if (abstractSyntax == null) {
                    throw new Pdu.ProtocolException("presentation context " + id + " has no abstract syntax");
                }
                contexts.add(new Proposed(id, abstractSyntax, List.copyOf(syntaxes)));
            } else if (type == 0x50) {
                user = userInfo(item);
            }
        }
        return new Request(header.called, header.calling, List.copyOf(contexts), user.maxLength, user.implementationClass,
                user.implementationVersion);
    }

    public static Accept parseAccept(byte[] body) throws Pdu.ProtocolException {
        Header header = header(body);
        Map<Integer, Answered> contexts = new LinkedHashMap<>();
        UserInfo user = new UserInfo();
        ByteBuffer items = ByteBuffer.wrap(body, 68, body.length - 68);
        while (items.hasRemaining()) {
            ByteBuffer item = item(items);
            int type = item.get(item.position() - 4) & 0xFF;
            if (type == 0x21) {
                int id = item.get() & 0xFF;
                item.get();
                int result = item.get() & 0xFF;
                item.get();
                String syntax = null;
                while (item.hasRemaining()) {
                    ByteBuffer sub = item(item);
                    if ((sub.get(sub.position() - 4) & 0xFF) == 0x40) {
                        syntax = uid(sub);
                    }
                }
                contexts.put(id, new Answered(id, result, result == ACCEPTANCE ? syntax : null));
            } else if (type == 0x50) {
                user = userInfo(item);
            }
        }
        return new Accept(header.called, header.calling, contexts, user.maxLength, user.implementationClass,
                user.implementationVersion);
    }

    public static byte[] encodeRequest(Request request) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        writeItem(items, 0x10, ascii(APPLICATION_CONTEXT));
        for (Proposed context : request.contexts()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            value.write(context.id());
            value.write(0);
            value.write(0);
            value.write(0);
            writeItem(value, 0x30, ascii(context.abstractSyntax()));
            for (String syntax : context.transferSyntaxes()) {
                writeItem(value, 0x40, ascii(syntax));
            }
            writeItem(items, 0x20, value.toByteArray());
        }
        writeItem(items, 0x50, userInfo(request.maxLength()));
        return pdu(Pdu.ASSOCIATE_RQ, request.calledAe(), request.callingAe(), items.toByteArray());
    }

    public static byte[] encodeAccept(Accept accept) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        writeItem(items, 0x10, ascii(APPLICATION_CONTEXT));
        for (Answered context : accept.contexts().values()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            value.write(context.id());
            value.write(0);
            value.write(context.result());
            value.write(0);
            // PS3.8 §9.3.3.2: the sub-item is present but its value is not significant when the context is refused.
            writeItem(value, 0x40, context.accepted() ? ascii(context.transferSyntax()) : new byte[0]);
            writeItem(items, 0x21, value.toByteArray());
        }
        writeItem(items, 0x50, userInfo(accept.maxLength()));
        return pdu(Pdu.ASSOCIATE_AC, accept.calledAe(), accept.callingAe(), items.toByteArray());
    }

    private static byte[] userInfo(long maxLength) {
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        writeItem(user, 0x51, ByteBuffer.allocate(4).putInt((int) maxLength).array());
        writeItem(user, 0x52, ascii(IMPLEMENTATION_CLASS_UID));
        writeItem(user, 0x55, ascii(IMPLEMENTATION_VERSION));
        return user.toByteArray();
    }

    private static byte[] pdu(int type, String called, String calling, byte[] items) {
        ByteBuffer pdu = ByteBuffer.allocate(6 + 68 + items.length);
        pdu.put(Pdu.header(type, 68 + items.length));
        pdu.putShort((short) 1).putShort((short) 0);
        pdu.put(aeTitle(called)).put(aeTitle(calling));
        pdu.put(new byte[32]);
        pdu.put(items);
        return pdu.array();
    }

    /** An AE title as the 16 space-padded characters of the PDU. */
    static byte[] aeTitle(String ae) {
        byte[] padded = "                ".getBytes(StandardCharsets.US_ASCII);
        byte[] value = ae.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(value, 0, padded, 0, Math.min(16, value.length));
        return padded;
    }

    private record Header(String called, String calling) {
    }

    private static Header header(byte[] body) throws Pdu.ProtocolException {
        if (body.length < 68) {
            throw new Pdu.ProtocolException("association PDU of " + body.length + " bytes is shorter than its fixed part");
        }
        String called = new String(body, 4, 16, StandardCharsets.US_ASCII).strip();
        String calling = new String(body, 20, 16, StandardCharsets.US_ASCII).strip();
        return new Header(called, calling);
    }

    private static final class UserInfo {
        long maxLength;
        String implementationClass;
        String implementationVersion;
    }

    private static UserInfo userInfo(ByteBuffer item) throws Pdu.ProtocolException {
        UserInfo user = new UserInfo();
        while (item.hasRemaining()) {
            ByteBuffer sub = item(item);
            int type = sub.get(sub.position() - 4) & 0xFF;
            if (type == 0x51 && sub.remaining() == 4) {
                user.maxLength = sub.getInt() & 0xFFFFFFFFL;
            } else if (type == 0x52) {
                user.implementationClass = uid(sub);
            } else if (type == 0x55) {
                user.implementationVersion = uid(sub);
            }
        }
        return user;
    }

    /** The next item of {@code parent}: a view of its value, positioned after the item's 4-byte header. */
    private static ByteBuffer item(ByteBuffer parent) throws Pdu.ProtocolException {
        if (parent.remaining() < 4) {
            throw new Pdu.ProtocolException("truncated item header");
        }
        int start = parent.position();
        parent.position(start + 2);
        int length = parent.getShort() & 0xFFFF;
        if (length > parent.remaining()) {
            throw new Pdu.ProtocolException("item 0x" + Integer.toHexString(parent.get(start) & 0xFF) + " of " + length
                    + " bytes runs past its PDU");
        }
        ByteBuffer value = parent.duplicate();
        value.limit(parent.position() + length);
        parent.position(parent.position() + length);
        return value;
    }

    /** A UID or short string value: ASCII, trailing NUL or space padding removed. */
    private static String uid(ByteBuffer value) {
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == 0 || bytes[end - 1] == ' ')) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII).strip();
    }

    private static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeItem(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }
}
