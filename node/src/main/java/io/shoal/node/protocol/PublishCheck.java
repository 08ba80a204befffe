package io.shoal.node.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.shoal.node.session.MessageIds;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.Publication;
import io.shoal.node.topic.Topics;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The verdict on a client's PUBLISH: a protocol violation that closes the connection, a refusal
 * its acknowledgement carries, or the message to forward. Resolves MQTT 5 topic aliases on the way.
 */
sealed interface PublishCheck {


    /** Close the connection (MQTT 5: with DISCONNECT {@code reasonCode}). */
    record Violation(int reasonCode, String reason) implements PublishCheck {
    }

    /** Do not forward; answer with this reason code in PUBACK or PUBREC (a QoS 0 message has none). */
    record Refuse(int reasonCode, String reason) implements PublishCheck {
    }

    record Accept(Publication publication) implements PublishCheck {
    }

    static PublishCheck of(MqttPublishMessage message, boolean v5, TopicAliases aliases, int maxQos,
                           String clientId, long nowMillis) {
        MqttProperties properties = message.variableHeader().properties();
        String topic = message.variableHeader().topicName();
        int qos = message.fixedHeader().qosLevel().value();
        if (v5) {
            TopicAliases.Resolved resolved = aliases.resolve(topic,
                    Properties5.integer(properties, MqttPropertyType.TOPIC_ALIAS));
            if (resolved.topic() == null) {
                return new Violation(resolved.reasonCode(), "invalid topic alias [MQTT-3.3.2-8..-10]");
            }
            topic = resolved.topic();
            if (qos > maxQos) {
                return new Violation(ReasonCode.QOS_NOT_SUPPORTED, "QoS " + qos + " above the Maximum QoS (MQTT 5 3.2.2.3.4)");
            }
            if (Properties5.integer(properties, MqttPropertyType.SUBSCRIPTION_IDENTIFIER) != null) {
                return new Violation(ReasonCode.PROTOCOL_ERROR, "Subscription Identifier in a client's PUBLISH [MQTT-3.3.4-6]");
            }
        }
        if (!Topics.isValidTopicName(topic)) {
            return new Violation(ReasonCode.PROTOCOL_ERROR, "invalid topic name in PUBLISH [MQTT-4.7.3-1]");
        }
        byte[] payload = ByteBufUtil.getBytes(message.payload());
        if (v5 && Properties5.integer(properties, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 0) == 1 && !isUtf8(payload)) {
            return new Refuse(ReasonCode.PAYLOAD_FORMAT_INVALID, "payload is not the UTF-8 its format indicator says");
        }
        return new Accept(new Publication(topic, payload, qos, message.fixedHeader().isRetain(),
                v5 ? Properties5.message(properties, nowMillis) : MessageProperties.NONE, clientId, MessageIds.next()));
    }

    private static boolean isUtf8(byte[] payload) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
