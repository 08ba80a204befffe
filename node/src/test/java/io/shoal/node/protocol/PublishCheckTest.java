package io.shoal.node.protocol;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.Publication;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class PublishCheckTest {

    private static final long NOW = 5_000_000L;

    private static MqttPublishMessage publish(String topic, int qos, MqttProperties properties, byte[] payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), true, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? 0 : 1, properties), Unpooled.wrappedBuffer(payload));
    }

    private static MqttProperties props(MqttPropertyType type, int value) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(type.value(), value));
        return p;
    }

    private static PublishCheck check(MqttPublishMessage message, boolean v5) {
        try {
            return PublishCheck.of(message, v5, new TopicAliases(2, 0), 1, "client", NOW);
        } finally {
            message.release();
        }
    }

    @Test
    void anMqtt5MessageKeepsItsPropertiesAndItsExpiryStartsNow() {
        MqttProperties p = props(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 60);
        p.add(new MqttProperties.StringProperty(MqttPropertyType.CONTENT_TYPE.value(), "text/plain"));
        p.add(new MqttProperties.UserProperty("k", "v"));
        Publication publication = assertInstanceOf(PublishCheck.Accept.class,
                check(publish("a/b", 1, p, new byte[]{7}), true)).publication();
        assertEquals("a/b", publication.topic());
        assertEquals(1, publication.qos());
        assertEquals(NOW + 60_000, publication.properties().expiresAtMillis());
        assertEquals("text/plain", publication.properties().contentType());
        assertEquals("client", publication.publisherId());
        assertArrayEquals(new byte[]{7}, publication.payload());
    }

    @Test
    void anMqtt311MessageHasNoProperties() {
        Publication publication = assertInstanceOf(PublishCheck.Accept.class,
                check(publish("a", 1, MqttProperties.NO_PROPERTIES, new byte[0]), false)).publication();
        assertSame(MessageProperties.NONE, publication.properties());
    }

    @Test
    void qosAboveTheMaximumIsRefusedWithQosNotSupported() {
        PublishCheck check = check(publish("a", 2, MqttProperties.NO_PROPERTIES, new byte[0]), true);
        assertEquals(ReasonCode.QOS_NOT_SUPPORTED, assertInstanceOf(PublishCheck.Violation.class, check).reasonCode());
    }

    @Test
    void aSubscriptionIdentifierFromAClientIsAProtocolError() {
        PublishCheck check = check(publish("a", 1, props(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 3), new byte[0]), true);
        assertEquals(ReasonCode.PROTOCOL_ERROR, assertInstanceOf(PublishCheck.Violation.class, check).reasonCode());
    }

    @Test
    void anInvalidAliasIsATopicAliasInvalidViolation() {
        PublishCheck check = check(publish("a", 1, props(MqttPropertyType.TOPIC_ALIAS, 3), new byte[0]), true);
        assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, assertInstanceOf(PublishCheck.Violation.class, check).reasonCode());
    }

    @Test
    void wildcardsInATopicNameAreAProtocolError() {
        PublishCheck check = check(publish("a/+", 0, MqttProperties.NO_PROPERTIES, new byte[0]), true);
        assertInstanceOf(PublishCheck.Violation.class, check);
    }

    @Test
    void aPayloadThatIsNotTheUtf8ItsFormatIndicatorSaysIsRefused() {
        byte[] invalid = {(byte) 0xC3, (byte) 0x28};
        PublishCheck check = check(publish("a", 1, props(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1), invalid), true);
        assertEquals(ReasonCode.PAYLOAD_FORMAT_INVALID, assertInstanceOf(PublishCheck.Refuse.class, check).reasonCode());
        PublishCheck unspecified = check(publish("a", 1, props(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 0), invalid), true);
        assertInstanceOf(PublishCheck.Accept.class, unspecified);
    }
}
