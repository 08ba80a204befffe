package io.shoal.node.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the byte stream into whole MQTT packets ahead of netty's {@code MqttDecoder}, for two checks
 * that decoder does not make well:
 * <ul>
 *   <li>the maximum packet size is enforced from the fixed header, before the body is buffered
 *       ({@code MqttDecoder} buffers the whole declared packet first);</li>
 *   <li>topic names and filters must be well-formed UTF-8 [MQTT-1.5.3-1] ({@code MqttDecoder}
 *       silently replaces bad bytes), and reserved bits of subscription options must be zero.</li>
 * </ul>
 * A refused packet is passed on as {@link PacketRejected}; everything after it is discarded.
 */
public final class MqttFrameDecoder extends ByteToMessageDecoder {

    private static final int CONNECT = 1;
    private static final int PUBLISH = 3;
    private static final int SUBSCRIBE = 8;
    private static final int UNSUBSCRIBE = 10;
    private static final int MQTT_5 = 5;

    private final int maxPacketSize;
    private int protocolLevel;
    private boolean failed;

    public MqttFrameDecoder(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int available = in.readableBytes();
        if (available < 2) {
            return;
        }
        int remaining = 0;
        int headerLength = 1;
        while (true) {
            if (headerLength >= available) {
                return;
            }
            int digit = in.getUnsignedByte(start + headerLength);
            remaining |= (digit & 0x7F) << (7 * (headerLength - 1));
            headerLength++;
            if ((digit & 0x80) == 0) {
                break;
            }
            if (headerLength == 5) {
                reject(in, out, PacketRejected.Kind.MALFORMED, "remaining length longer than four bytes");
                return;
            }
        }
        long packetSize = (long) headerLength + remaining;
        if (packetSize > maxPacketSize) {
            reject(in, out, PacketRejected.Kind.TOO_LARGE,
                    "packet of " + packetSize + " bytes exceeds the maximum of " + maxPacketSize);
            return;
        }
        if (available < packetSize) {
            return;
        }
        int type = in.getUnsignedByte(start) >> 4;
        String problem = inspect(type, in, start + headerLength, start + (int) packetSize);
        if (problem != null) {
            reject(in, out, type == CONNECT && protocolLevel < 0
                    ? PacketRejected.Kind.UNKNOWN_PROTOCOL : PacketRejected.Kind.MALFORMED, problem);
            return;
        }
        out.add(in.readRetainedSlice((int) packetSize));
    }

    private void reject(ByteBuf in, List<Object> out, PacketRejected.Kind kind, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new PacketRejected(kind, reason));
    }

    /** Returns what is wrong with the packet in [from, to), or null. */
    private String inspect(int type, ByteBuf buf, int from, int to) {
        switch (type) {
            case CONNECT:
                return inspectConnect(buf, from, to);
            case PUBLISH:
                return checkUtf8(buf, from, to, "topic name");
            case SUBSCRIBE:
            case UNSUBSCRIBE:
                return inspectFilters(type == SUBSCRIBE, buf, from, to);
            default:
                return null;
        }
    }

    private String inspectConnect(ByteBuf buf, int from, int to) {
        if (to - from < 2) {
            return "CONNECT without protocol name";
        }
        int nameLength = buf.getUnsignedShort(from);
        int i = from + 2 + nameLength;
        if (i + 4 > to) {
            return "CONNECT truncated";
        }
        String name = buf.toString(from + 2, nameLength, StandardCharsets.UTF_8);
        if (!name.equals("MQTT") && !name.equals("MQIsdp")) {
            protocolLevel = -1;
            return "unknown protocol name '" + name + "'";
        }
        protocolLevel = buf.getUnsignedByte(i);
        int flags = buf.getUnsignedByte(i + 1);
        i += 4; // level, flags, keep alive
        if (protocolLevel == MQTT_5 && (i = skipProperties(buf, i, to)) < 0) {
            return "malformed CONNECT properties";
        }
        String problem = checkUtf8(buf, i, to, "client identifier");
        if (problem != null) {
            return problem;
        }
        i += 2 + buf.getUnsignedShort(i);
        if ((flags & 0x04) != 0) {
            if (protocolLevel == MQTT_5 && (i = skipProperties(buf, i, to)) < 0) {
                return "malformed will properties";
            }
            problem = checkUtf8(buf, i, to, "will topic");
            if (problem != null) {
                return problem;
            }
            i += 2 + buf.getUnsignedShort(i);
            i += 2 + (i + 2 <= to ? buf.getUnsignedShort(i) : 0); // will payload: binary
        }
        if ((flags & 0x80) != 0) {
            return checkUtf8(buf, i, to, "user name");
        }
        return null;
    }

    private String inspectFilters(boolean subscribe, ByteBuf buf, int from, int to) {
        int i = from + 2; // packet identifier
        if (protocolLevel == MQTT_5) {
            i = skipProperties(buf, i, to);
            if (i < 0) {
                return "malformed properties";
            }
        }
        while (i < to) {
            if (i + 2 > to) {
                return "truncated topic filter";
            }
            int length = buf.getUnsignedShort(i);
            String problem = checkUtf8(buf, i, to, "topic filter");
            if (problem != null) {
                return problem;
            }
            i += 2 + length;
            if (subscribe) {
                if (i >= to) {
                    return "topic filter without subscription options";
                }
                String optionsProblem = checkOptions(buf.getUnsignedByte(i));
                if (optionsProblem != null) {
                    return optionsProblem;
                }
                i++;
            }
        }
        return null;
    }

    private String checkOptions(int options) {
        if ((options & 0x03) == 3) {
            return "requested QoS 3";
        }
        int reserved = protocolLevel == MQTT_5 ? 0xC0 : 0xFC;
        if ((options & reserved) != 0) {
            return "reserved bits set in subscription options";
        }
        if (protocolLevel == MQTT_5 && (options & 0x30) == 0x30) {
            return "retain handling 3";
        }
        return null;
    }

    /** Checks the length-prefixed string at {@code at}. */
    private static String checkUtf8(ByteBuf buf, int at, int to, String what) {
        if (at + 2 > to) {
            return "truncated " + what;
        }
        int length = buf.getUnsignedShort(at);
        if (at + 2 + length > to) {
            return what + " longer than the packet";
        }
        if (!ByteBufUtil.isText(buf, at + 2, length, StandardCharsets.UTF_8)) {
            return what + " is not valid UTF-8";
        }
        return null;
    }

    /** Skips an MQTT 5 property block; returns the index after it, or -1 if malformed. */
    private static int skipProperties(ByteBuf buf, int at, int to) {
        int length = 0;
        int i = at;
        for (int shift = 0; shift <= 21; shift += 7) {
            if (i >= to) {
                return -1;
            }
            int digit = buf.getUnsignedByte(i++);
            length |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return i + length <= to ? i + length : -1;
            }
        }
        return -1;
    }
}
