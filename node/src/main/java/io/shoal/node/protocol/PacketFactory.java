package io.shoal.node.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.UserProperty;

import java.util.List;

/**
 * Builds the packets the broker sends one client, as its protocol level wants them: reason codes
 * and properties for MQTT 5 (reason strings only where the client's Request Problem Information
 * allows), the plain 3.1.1 forms otherwise. Netty's encoder writes what the channel's level allows.
 */
final class PacketFactory {

    private static final int MQTT_5 = 5;

    static final MqttMessage PINGRESP = new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE));

    private final boolean v5;
    private final boolean problemInformation;
    private final long clientMaxPacketSize;
    private final TopicAliases aliases;

    PacketFactory(boolean v5, boolean problemInformation, long clientMaxPacketSize, TopicAliases aliases) {
        this.v5 = v5;
        this.problemInformation = problemInformation;
        this.clientMaxPacketSize = clientMaxPacketSize;
        this.aliases = aliases;
    }

    /** Before CONNECT is understood: plain packets. */
    static PacketFactory initial(boolean v5) {
        return new PacketFactory(v5, true, Long.MAX_VALUE, new TopicAliases(0, 0));
    }

    /** For the client of this CONNECT: its protocol level, Request Problem Information and Maximum Packet Size. */
    static PacketFactory forConnect(MqttConnectMessage connect) {
        boolean v5 = connect.variableHeader().version() == MQTT_5;
        if (!v5) {
            return initial(false);
        }
        MqttProperties p = connect.variableHeader().properties();
        long maxPacket = Properties5.integer(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, 0) & 0xFFFFFFFFL;
        return new PacketFactory(true, Properties5.integer(p, MqttPropertyType.REQUEST_PROBLEM_INFORMATION, 1) == 1,
                maxPacket == 0 ? Long.MAX_VALUE : maxPacket, new TopicAliases(0, 0));
    }

    /** The same client, with the topic aliases of its connection. */
    PacketFactory withAliases(TopicAliases connectionAliases) {
        return new PacketFactory(v5, problemInformation, clientMaxPacketSize, connectionAliases);
    }

    boolean v5() {
        return v5;
    }

    TopicAliases aliases() {
        return aliases;
    }

    static MqttConnAckMessage connAck(MqttConnectReturnCode code, boolean sessionPresent, MqttProperties properties) {
        return new MqttConnAckMessage(fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
                new MqttConnAckVariableHeader(code, sessionPresent, properties));
    }

    /** A CONNACK refusing the connection; an MQTT 5 client is told why if that fits its maximum [MQTT-3.2.2-19]. */
    MqttConnAckMessage connAckRefusal(MqttConnectReturnCode code, String why) {
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        if (v5 && fitsWithReasonString(2, why)) {
            properties = new MqttProperties();
            Properties5.addString(properties, MqttPropertyType.REASON_STRING, why);
        }
        return connAck(code, false, properties);
    }

    /**
     * The PUBLISH for {@code d}, or null if it would exceed the client's Maximum Packet Size (it is
     * then dropped [MQTT-3.1.2-25]). With outbound topic aliases, a topic the client knows by its
     * alias goes as an empty string, and a new one gets the next free alias [MQTT-3.3.2-7].
     */
    MqttPublishMessage publish(PendingDelivery d, boolean dup, long nowMillis) {
        String topic = d.publication().topic();
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        if (v5) {
            int alias = aliases.outboundAlias(topic);
            boolean aliasKnown = alias > 0;
            if (alias == 0) {
                alias = aliases.nextOutboundAlias();
            }
            String sentTopic = aliasKnown ? "" : topic;
            if (size(d, sentTopic, alias != 0) > clientMaxPacketSize) {
                return null;
            }
            if (alias != 0 && !aliasKnown) {
                aliases.assignOutbound(topic, alias);
            }
            topic = sentTopic;
            properties = new MqttProperties();
            Properties5.addMessage(properties, d.publication().properties(), nowMillis);
            for (int id : d.subscriptionIds()) {
                Properties5.addInt(properties, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, id);
            }
            if (alias != 0) {
                Properties5.addInt(properties, MqttPropertyType.TOPIC_ALIAS, alias);
            }
        }
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(d.qos()), d.retain(), 0),
                new MqttPublishVariableHeader(topic, d.packetId(), properties),
                Unpooled.wrappedBuffer(d.publication().payload()));
    }

    MqttMessage pubAck(int packetId, int reason, String why) {
        return reply(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId, reason, why);
    }

    MqttMessage pubRec(int packetId, int reason, String why) {
        return reply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, reason, why);
    }

    /** PUBREL's fixed header flags are 0010 [MQTT-3.6.1-1]. */
    MqttMessage pubRel(int packetId, int reason) {
        return reply(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId, reason, null);
    }

    MqttMessage pubComp(int packetId, int reason) {
        return reply(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, packetId, reason, null);
    }

    MqttSubAckMessage subAck(int packetId, List<Integer> reasonCodes) {
        int[] codes = reasonCodes.stream().mapToInt(Integer::intValue).toArray();
        return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
    }

    MqttUnsubAckMessage unsubAck(int packetId, List<Short> reasonCodes) {
        MqttFixedHeader header = fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE);
        if (!v5) {
            return new MqttUnsubAckMessage(header, MqttMessageIdVariableHeader.from(packetId));
        }
        return new MqttUnsubAckMessage(header,
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(reasonCodes));
    }

    /**
     * A DISCONNECT from the broker (MQTT 5 only), with a reason string if it fits the client's
     * maximum [MQTT-3.14.2-3] (Request Problem Information does not apply to DISCONNECT).
     */
    MqttMessage disconnect(int reason, String why) {
        MqttProperties properties = new MqttProperties();
        if (why != null && fitsWithReasonString(1, why)) {
            Properties5.addString(properties, MqttPropertyType.REASON_STRING, why);
        }
        return new MqttMessage(fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reason, properties));
    }

    /** An AUTH packet of an enhanced authentication exchange. */
    MqttMessage auth(int reason, String method, byte[] data) {
        MqttProperties properties = new MqttProperties();
        Properties5.addString(properties, MqttPropertyType.AUTHENTICATION_METHOD, method);
        if (data != null) {
            properties.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), data));
        }
        return new MqttMessage(fixed(MqttMessageType.AUTH, MqttQoS.AT_MOST_ONCE),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reason, properties));
    }

    private MqttMessage reply(MqttMessageType type, MqttQoS flags, int packetId, int reason, String why) {
        if (!v5) {
            return new MqttMessage(fixed(type, flags), MqttMessageIdVariableHeader.from(packetId));
        }
        MqttProperties properties = MqttProperties.NO_PROPERTIES;
        if (why != null && problemInformation && fitsWithReasonString(3, why)) { // [MQTT-3.1.2-29, MQTT-3.4.2-2]
            properties = new MqttProperties();
            Properties5.addString(properties, MqttPropertyType.REASON_STRING, why);
        }
        return new MqttMessage(fixed(type, flags), new MqttPubReplyMessageVariableHeader(packetId, (byte) reason, properties));
    }

    /** The encoded size of the MQTT 5 PUBLISH for {@code d} with this topic, and a topic alias or not. */
    private static long size(PendingDelivery d, String topic, boolean withAlias) {
        MessageProperties m = d.publication().properties();
        long props = 0;
        if (m.payloadFormat() != null) {
            props += 2;
        }
        if (m.expiresAtMillis() != 0) {
            props += 5;
        }
        props += stringSize(m.contentType()) + stringSize(m.responseTopic());
        if (m.correlationData() != null) {
            props += 3 + m.correlationData().length;
        }
        for (UserProperty u : m.userProperties()) {
            props += 5 + ByteBufUtil.utf8Bytes(u.name()) + ByteBufUtil.utf8Bytes(u.value());
        }
        for (int id : d.subscriptionIds()) {
            props += 1 + varIntSize(id);
        }
        if (withAlias) {
            props += 3;
        }
        long remaining = 2 + ByteBufUtil.utf8Bytes(topic) + (d.qos() > 0 ? 2 : 0)
                + varIntSize(props) + props + d.publication().payload().length;
        return 1 + varIntSize(remaining) + remaining;
    }

    /**
     * Whether a packet whose variable header takes {@code headerBytes} besides its properties still
     * fits the client's Maximum Packet Size with a Reason String as its only property.
     */
    private boolean fitsWithReasonString(long headerBytes, String why) {
        long props = stringSize(why);
        long remaining = headerBytes + varIntSize(props) + props;
        return 1 + varIntSize(remaining) + remaining <= clientMaxPacketSize;
    }

    private static long stringSize(String s) {
        return s == null ? 0 : 3 + ByteBufUtil.utf8Bytes(s);
    }

    private static int varIntSize(long value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS flags) {
        return new MqttFixedHeader(type, false, flags, false, 0);
    }
}
