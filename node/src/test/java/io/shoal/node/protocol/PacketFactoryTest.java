package io.shoal.node.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.UserProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketFactoryTest {

    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final long NOW = 1_000_000L;

    private static PendingDelivery delivery(String topic, int qos, MessageProperties properties, List<Integer> ids) {
        Publication p = new Publication(topic, "payload".getBytes(StandardCharsets.UTF_8), qos, false, properties, "x");
        return PendingDelivery.queued(p, qos, false, ids, null).sentAs(qos == 0 ? 0 : 7);
    }

    private static MessageProperties rich() {
        return new MessageProperties(1, NOW + 30_000, "text/plain", "re/ply", new byte[]{1, 2, 3},
                List.of(new UserProperty("k", "v"), new UserProperty("ünï", "ç")));
    }

    /** The bytes netty's encoder writes for a PUBLISH sent to an MQTT 5 client. */
    private static int encodedSize(MqttPublishMessage publish) {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(MQTT_VERSION).set(MqttVersion.MQTT_5);
        channel.writeOutbound(publish);
        ByteBuf encoded = channel.readOutbound();
        try {
            return encoded.readableBytes();
        } finally {
            encoded.release();
            channel.finishAndReleaseAll();
        }
    }

    private static PacketFactory v5(long clientMax, int outboundAliases) {
        return new PacketFactory(true, true, clientMax, new TopicAliases(0, outboundAliases));
    }

    @Test
    void aPacketExactlyAtTheClientsMaximumIsSentAndOneByteMoreIsNot() {
        for (PendingDelivery d : List.of(
                delivery("a/b", 1, rich(), List.of(1, 200, 70_000)),
                delivery("a", 0, MessageProperties.NONE, List.of()),
                delivery("long/" + "x".repeat(300), 2, rich(), List.of(5)))) {
            int size = encodedSize(v5(Long.MAX_VALUE, 0).publish(d, false, NOW));
            assertNotNull(v5(size, 0).publish(d, false, NOW), "exactly " + size + " bytes");
            assertNull(v5(size - 1, 0).publish(d, false, NOW), "one byte over " + (size - 1));
        }
    }

    @Test
    void sizeIncludesATopicAliasAndLeavesOutAKnownTopic() {
        PendingDelivery d = delivery("sensors/kitchen/temperature", 1, MessageProperties.NONE, List.of());
        PacketFactory measure = v5(Long.MAX_VALUE, 5);
        int first = encodedSize(measure.publish(d, false, NOW));
        int repeat = encodedSize(measure.publish(d, false, NOW));
        assertTrue(repeat < first);
        PacketFactory exact = v5(first, 5);
        assertNotNull(exact.publish(d, false, NOW));
        assertNotNull(exact.publish(d, false, NOW));
        assertNull(v5(first - 1, 5).publish(d, false, NOW));
    }

    @Test
    void outboundAliasesNameATopicOnceThenLeaveItOut() {
        PacketFactory packets = v5(Long.MAX_VALUE, 2);
        MqttPublishMessage first = packets.publish(delivery("t/1", 0, MessageProperties.NONE, List.of()), false, NOW);
        MqttPublishMessage again = packets.publish(delivery("t/1", 0, MessageProperties.NONE, List.of()), false, NOW);
        MqttPublishMessage second = packets.publish(delivery("t/2", 0, MessageProperties.NONE, List.of()), false, NOW);
        MqttPublishMessage third = packets.publish(delivery("t/3", 0, MessageProperties.NONE, List.of()), false, NOW);
        assertEquals("t/1", first.variableHeader().topicName());
        assertEquals(1, alias(first));
        assertEquals("", again.variableHeader().topicName());
        assertEquals(1, alias(again));
        assertEquals(2, alias(second));
        assertEquals("t/3", third.variableHeader().topicName());
        assertNull(third.variableHeader().properties().getProperty(MqttPropertyType.TOPIC_ALIAS.value()),
                "no alias left for a third topic");
        List.of(first, again, second, third).forEach(MqttPublishMessage::release);
    }

    @Test
    void messageExpiryIsSentAsWhatIsLeftOfIt() {
        PendingDelivery d = delivery("t", 1, rich(), List.of());
        MqttPublishMessage publish = v5(Long.MAX_VALUE, 0).publish(d, false, NOW + 10_500);
        assertEquals(20, (Integer) publish.variableHeader().properties()
                .getProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value()).value(), "30 s less 10.5 s, rounded up");
        publish.release();
    }

    @Test
    void mqtt311PacketsCarryNoProperties() {
        MqttPublishMessage publish = PacketFactory.initial(false)
                .publish(delivery("t", 1, rich(), List.of(4)), false, NOW);
        assertTrue(publish.variableHeader().properties().isEmpty());
        publish.release();
    }

    @Test
    void reasonStringsFollowRequestProblemInformation() {
        PacketFactory allowed = new PacketFactory(true, true, Long.MAX_VALUE, new TopicAliases(0, 0));
        PacketFactory refused = new PacketFactory(true, false, Long.MAX_VALUE, new TopicAliases(0, 0));
        assertNotNull(reasonString(allowed.pubAck(1, 0x99, "bad payload")));
        assertNull(reasonString(refused.pubAck(1, 0x99, "bad payload")));
        assertNotNull(reasonString(refused.disconnect(0x82, "protocol error")), "DISCONNECT may always say why");
    }

    private static Object reasonString(io.netty.handler.codec.mqtt.MqttMessage message) {
        MqttProperties p = message.variableHeader() instanceof io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader r
                ? r.properties()
                : ((io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader()).properties();
        MqttProperties.MqttProperty<?> property = p.getProperty(MqttPropertyType.REASON_STRING.value());
        return property == null ? null : property.value();
    }

    private static int alias(MqttPublishMessage publish) {
        return (Integer) publish.variableHeader().properties().getProperty(MqttPropertyType.TOPIC_ALIAS.value()).value();
    }
}
