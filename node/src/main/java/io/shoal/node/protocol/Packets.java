package io.shoal.node.protocol;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.shoal.node.session.PendingDelivery;

import java.util.List;

/** Builds the packets the broker sends. */
final class Packets {

    static final MqttMessage PINGRESP = new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE));

    private Packets() {
    }

    static MqttConnAckMessage connAck(MqttConnectReturnCode code, boolean sessionPresent) {
        return new MqttConnAckMessage(fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
                new MqttConnAckVariableHeader(code, sessionPresent));
    }

    static MqttPublishMessage publish(PendingDelivery d, boolean dup) {
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(d.qos()), d.retain(), 0),
                new MqttPublishVariableHeader(d.publication().topic(), d.packetId()),
                Unpooled.wrappedBuffer(d.publication().payload()));
    }

    static MqttMessage pubAck(int packetId) {
        return withId(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId);
    }

    static MqttMessage pubRec(int packetId) {
        return withId(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId);
    }

    /** PUBREL's fixed header flags are 0010 [MQTT-3.6.1-1]. */
    static MqttMessage pubRel(int packetId) {
        return withId(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId);
    }

    static MqttMessage pubComp(int packetId) {
        return withId(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, packetId);
    }

    static MqttSubAckMessage subAck(int packetId, List<Integer> returnCodes) {
        int[] codes = returnCodes.stream().mapToInt(Integer::intValue).toArray();
        return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(codes));
    }

    static MqttUnsubAckMessage unsubAck(int packetId) {
        return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
                MqttMessageIdVariableHeader.from(packetId));
    }

    private static MqttMessage withId(MqttMessageType type, MqttQoS flags, int packetId) {
        return new MqttMessage(fixed(type, flags), MqttMessageIdVariableHeader.from(packetId));
    }

    private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS flags) {
        return new MqttFixedHeader(type, false, flags, false, 0);
    }
}
