package org.rtc4j.bench.turn;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of the STUN/TURN wire format, as much as the load generator needs, written from
 * RFC 8489 and RFC 8656 (not shared with the server under test, see the package documentation).
 *
 * <pre>
 *   RFC 8489 §5: STUN message header
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Magic Cookie                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   RFC 8656 §12.4: ChannelData
 *   |         Channel Number        |            Length             |
 *   /                       Application Data                        /
 * </pre>
 */
final class Wire {
    private Wire() {}

    static final int MAGIC_COOKIE = 0x2112A442;
    static final int HEADER = 20;

    // RFC 8489 §5 / RFC 8656 §17 methods.
    static final int ALLOCATE = 0x003;
    static final int REFRESH = 0x004;
    static final int SEND = 0x006;
    static final int DATA = 0x007;
    static final int CREATE_PERMISSION = 0x008;
    static final int CHANNEL_BIND = 0x009;

    static final int CLASS_REQUEST = 0;
    static final int CLASS_INDICATION = 1;
    static final int CLASS_SUCCESS = 2;
    static final int CLASS_ERROR = 3;

    // Attribute types (RFC 8489 §18.3, RFC 8656 §18).
    static final int A_USERNAME = 0x0006;
    static final int A_MESSAGE_INTEGRITY = 0x0008;
    static final int A_ERROR_CODE = 0x0009;
    static final int A_CHANNEL_NUMBER = 0x000C;
    static final int A_LIFETIME = 0x000D;
    static final int A_XOR_PEER_ADDRESS = 0x0012;
    static final int A_DATA = 0x0013;
    static final int A_REALM = 0x0014;
    static final int A_NONCE = 0x0015;
    static final int A_XOR_RELAYED_ADDRESS = 0x0016;
    static final int A_REQUESTED_TRANSPORT = 0x0019;
    static final int A_FINGERPRINT = 0x8028;

    /** Send indication type (0x0016) and Data indication type (0x0017). */
    static final int SEND_INDICATION = type(SEND, CLASS_INDICATION);
    static final int DATA_INDICATION = type(DATA, CLASS_INDICATION);

    /** RFC 8489 §5: the class bits C1 (bit 8) and C0 (bit 4) interleaved with the method bits. */
    static int type(int method, int cls) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((cls & 1) << 4) | ((cls & 2) << 7);
    }

    static int methodOf(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    static int classOf(int type) {
        return ((type >> 4) & 1) | ((type >> 7) & 2);
    }

    static String methodName(int method) {
        return switch (method) {
            case ALLOCATE -> "Allocate";
            case REFRESH -> "Refresh";
            case CREATE_PERMISSION -> "CreatePermission";
            case CHANNEL_BIND -> "ChannelBind";
            default -> "method 0x" + Integer.toHexString(method);
        };
    }

    static int pad4(int n) {
        return (n + 3) & ~3;
    }

    /** Builds one request into a byte array; the long-term key (RFC 8489 §9.2.2) adds MESSAGE-INTEGRITY. */
    static final class Builder {
        private byte[] buf = new byte[256];
        private int len;
        private final byte[] tid;

        Builder(int method, int cls, byte[] tid) {
            this.tid = tid;
            putShort(0, type(method, cls));
            putShort(2, 0);
            putInt(4, MAGIC_COOKIE);
            System.arraycopy(tid, 0, buf, 8, 12);
            len = HEADER;
        }

        Builder attr(int type, byte[] value) {
            ensure(4 + pad4(value.length));
            putShort(len, type);
            putShort(len + 2, value.length);
            System.arraycopy(value, 0, buf, len + 4, value.length);
            Arrays.fill(buf, len + 4 + value.length, len + 4 + pad4(value.length), (byte) 0);
            len += 4 + pad4(value.length);
            return this;
        }

        Builder attr(int type, String value) {
            return attr(type, value.getBytes(StandardCharsets.UTF_8));
        }

        Builder attrInt(int type, int value) {
            return attr(type, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        }

        /** RFC 8489 §14.2 XOR-MAPPED-ADDRESS encoding, used by XOR-PEER-ADDRESS. */
        Builder xorAddress(int type, InetSocketAddress address) {
            return attr(type, xorAddressValue(address, tid));
        }

        byte[] encode(byte[] integrityKey, boolean fingerprint) {
            if (integrityKey != null) {
                // RFC 8489 §14.5: HMAC over the message up to MESSAGE-INTEGRITY, with the length
                // field already counting the MESSAGE-INTEGRITY attribute.
                putShort(2, len - HEADER + 24);
                byte[] mac = hmacSha1(integrityKey, buf, 0, len);
                attr(A_MESSAGE_INTEGRITY, mac);
            }
            if (fingerprint) {
                putShort(2, len - HEADER + 8);
                CRC32 crc = new CRC32();
                crc.update(buf, 0, len);
                attrInt(A_FINGERPRINT, (int) (crc.getValue() ^ 0x5354554EL));
            }
            putShort(2, len - HEADER);
            return Arrays.copyOf(buf, len);
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        private void putShort(int at, int v) {
            buf[at] = (byte) (v >>> 8);
            buf[at + 1] = (byte) v;
        }

        private void putInt(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }
    }

    static byte[] xorAddressValue(InetSocketAddress address, byte[] tid) {
        byte[] ip = address.getAddress().getAddress();
        byte[] v = new byte[4 + ip.length];
        v[1] = (byte) (ip.length == 4 ? 0x01 : 0x02);
        int xport = address.getPort() ^ (MAGIC_COOKIE >>> 16);
        v[2] = (byte) (xport >>> 8);
        v[3] = (byte) xport;
        byte[] mask = new byte[16];
        mask[0] = 0x21;
        mask[1] = 0x12;
        mask[2] = (byte) 0xA4;
        mask[3] = 0x42;
        System.arraycopy(tid, 0, mask, 4, 12);
        for (int i = 0; i < ip.length; i++) {
            v[4 + i] = (byte) (ip[i] ^ mask[i]);
        }
        return v;
    }

    static byte[] hmacSha1(byte[] key, byte[] data, int off, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, off, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 missing from the JDK", e);
        }
    }

    /**
     * A received STUN message, parsed just enough for the control path: type, transaction ID and
     * the first occurrence of each attribute. Not for the data path (it copies).
     */
    static final class Message {
        final int type;
        final byte[] tid = new byte[12];
        private final byte[] raw;

        private Message(byte[] raw) {
            this.raw = raw;
            this.type = ((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF);
            System.arraycopy(raw, 8, tid, 0, 12);
        }

        /** Returns null if this is not a well-formed STUN message. */
        static Message parse(ByteBuf b, int off, int len) {
            if (len < HEADER || (b.getByte(off) & 0xC0) != 0 || b.getInt(off + 4) != MAGIC_COOKIE) {
                return null;
            }
            int bodyLen = b.getUnsignedShort(off + 2);
            if (HEADER + bodyLen > len) {
                return null;
            }
            byte[] raw = new byte[HEADER + bodyLen];
            b.getBytes(off, raw);
            return new Message(raw);
        }

        int method() {
            return methodOf(type);
        }

        int cls() {
            return classOf(type);
        }

        /** Offset of the first attribute of that type's value in the raw bytes, or -1. */
        private int find(int attrType) {
            int p = HEADER;
            while (p + 4 <= raw.length) {
                int t = ((raw[p] & 0xFF) << 8) | (raw[p + 1] & 0xFF);
                int l = ((raw[p + 2] & 0xFF) << 8) | (raw[p + 3] & 0xFF);
                if (p + 4 + l > raw.length) {
                    return -1;
                }
                if (t == attrType) {
                    return p;
                }
                p += 4 + pad4(l);
            }
            return -1;
        }

        byte[] attribute(int attrType) {
            int p = find(attrType);
            if (p < 0) {
                return null;
            }
            int l = ((raw[p + 2] & 0xFF) << 8) | (raw[p + 3] & 0xFF);
            return Arrays.copyOfRange(raw, p + 4, p + 4 + l);
        }

        String stringAttribute(int attrType) {
            byte[] v = attribute(attrType);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        }

        /** RFC 8489 §14.8: class * 100 + number, or 0 when there is no ERROR-CODE. */
        int errorCode() {
            byte[] v = attribute(A_ERROR_CODE);
            if (v == null || v.length < 4) {
                return 0;
            }
            return (v[2] & 0x07) * 100 + (v[3] & 0xFF);
        }

        InetSocketAddress xorAddress(int attrType) {
            byte[] v = attribute(attrType);
            if (v == null || v.length < 8) {
                return null;
            }
            int port = (((v[2] & 0xFF) << 8) | (v[3] & 0xFF)) ^ (MAGIC_COOKIE >>> 16);
            int alen = v[1] == 0x01 ? 4 : 16;
            if (v.length < 4 + alen) {
                return null;
            }
            byte[] mask = new byte[16];
            mask[0] = 0x21;
            mask[1] = 0x12;
            mask[2] = (byte) 0xA4;
            mask[3] = 0x42;
            System.arraycopy(tid, 0, mask, 4, 12);
            byte[] ip = new byte[alen];
            for (int i = 0; i < alen; i++) {
                ip[i] = (byte) (v[4 + i] ^ mask[i]);
            }
            try {
                InetAddress a = InetAddress.getByAddress(ip);
                assert a instanceof Inet4Address || a instanceof Inet6Address;
                return new InetSocketAddress(a, port);
            } catch (UnknownHostException e) {
                return null;
            }
        }

        long lifetime() {
            byte[] v = attribute(A_LIFETIME);
            if (v == null || v.length < 4) {
                return -1;
            }
            return ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
        }
    }

    /**
     * Finds the DATA attribute of a Data indication in place (data path: no copy). Returns the
     * absolute offset of the value with its length in the high 32 bits, or -1.
     */
    static long findData(ByteBuf b, int off, int len) {
        if (len < HEADER) {
            return -1;
        }
        int end = off + Math.min(len, HEADER + b.getUnsignedShort(off + 2));
        int p = off + HEADER;
        while (p + 4 <= end) {
            int t = b.getUnsignedShort(p);
            int l = b.getUnsignedShort(p + 2);
            if (p + 4 + l > end) {
                return -1;
            }
            if (t == A_DATA) {
                return ((long) l << 32) | (p + 4);
            }
            p += 4 + pad4(l);
        }
        return -1;
    }
}
