package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static io.shoal.deploy.e2e.mqtt5.Packets5.bytes;
import static io.shoal.deploy.e2e.mqtt5.Packets5.intProperty;
import static io.shoal.deploy.e2e.mqtt5.Packets5.publish;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 Maximum Packet Size, both ways: a client's maximum (CONNECT) is never exceeded by what the
 * broker sends it, larger messages are dropped for that client only [MQTT-3.1.2-24, -25]; the
 * broker's maximum (1 KiB here, announced in CONNACK) is enforced with DISCONNECT 0x95.
 */
class MaximumPacketSizeTest {

    private static final int BROKER_MAXIMUM = 1024;

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_MQTT_MAX_PACKET_SIZE", "1KiB"));

    private static final int PACKET_TOO_LARGE = 0x95;
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    @Test
    void brokerAnnouncesItsMaximumPacketSize() {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "mps-announce");
        Mqtt5ConnAck ack = client.connect();
        try {
            assertEquals(BROKER_MAXIMUM, ack.getRestrictions().getMaximumPacketSize());
        } finally {
            client.disconnect();
        }
    }

    // ---- outbound: the client's maximum ----------------------------------------------------------

    @Test
    void messagesLargerThanTheClientsMaximumAreDroppedForThatClientOnly() {
        Inbox5 limitedInbox = new Inbox5();
        Inbox5 unlimitedInbox = new Inbox5();
        Mqtt5BlockingClient limited = Clients5.hivemq(broker, "mps-limited");
        limited.toAsync().publishes(MqttGlobalPublishFilter.ALL, limitedInbox);
        limited.connectWith().restrictions().maximumPacketSize(256).applyRestrictions().send();
        Mqtt5BlockingClient unlimited = Clients5.hivemq(broker, "mps-unlimited", unlimitedInbox);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mps-out-pub", new Inbox5());
        try {
            limited.subscribeWith().topicFilter("mps/out/t").qos(MqttQos.AT_LEAST_ONCE).send();
            unlimited.subscribeWith().topicFilter("mps/out/t").qos(MqttQos.AT_LEAST_ONCE).send();
            long droppedBefore = broker.metrics().get(Counter.DROPPED_TOO_LARGE_FOR_CLIENT);
            String big = "B".repeat(600);
            publisher.publishWith().topic("mps/out/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-1")).send();
            publisher.publishWith().topic("mps/out/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes(big)).send();
            publisher.publishWith().topic("mps/out/t").qos(MqttQos.AT_MOST_ONCE).payload(bytes("small-2")).send();
            publisher.publishWith().topic("mps/out/t").qos(MqttQos.AT_MOST_ONCE).payload(bytes(big)).send();
            publisher.publishWith().topic("mps/out/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-3")).send();

            limitedInbox.expect("mps/out/t", "small-1");
            limitedInbox.expect("mps/out/t", "small-2");
            limitedInbox.expect("mps/out/t", "small-3");
            assertNull(limitedInbox.poll(QUIET), "a message above the client's Maximum Packet Size was delivered");
            assertTrue(limited.getState().isConnected(), "the limited client was disconnected");

            for (String payload : new String[] {"small-1", big, "small-2", big, "small-3"}) {
                unlimitedInbox.expect("mps/out/t", payload);
            }
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> broker.metrics().get(Counter.DROPPED_TOO_LARGE_FOR_CLIENT) == droppedBefore + 2);
        } finally {
            publisher.disconnect();
            unlimited.disconnect();
            limited.disconnect();
        }
    }

    /** A dropped QoS 1 message is treated as sent and acknowledged: it does not hold a slot of the window. */
    @Test
    void droppedQos1MessageDoesNotBlockTheMessagesAfterIt() throws Exception {
        MqttProperties connect = new MqttProperties();
        connect.add(new MqttProperties.IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), 1));
        connect.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), 128));
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mps-slot-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "mps-slot-sub", connect)) {
            subscriber.subscribe(1, "mps/slot/t", 1);
            publisher.publishWith().topic("mps/slot/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("B".repeat(300))).send();
            publisher.publishWith().topic("mps/slot/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-a")).send();
            publisher.publishWith().topic("mps/slot/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-b")).send();

            RawClient.Received a = subscriber.receivePublish();
            assertEquals("small-a", a.payload(), "the oversized message was sent, or blocked the window");
            assertNull(subscriber.receive(QUIET), "more than Receive Maximum 1 in flight");
            subscriber.ack(MqttMessageType.PUBACK, a.packetId());
            RawClient.Received b = subscriber.receivePublish();
            assertEquals("small-b", b.payload());
            subscriber.ack(MqttMessageType.PUBACK, b.packetId());
            assertNull(subscriber.receive(QUIET));
        } finally {
            publisher.disconnect();
        }
    }

    /** Only a packet that is too large may be dropped [MQTT-3.1.2-25]: one of exactly the maximum is sent. */
    @Test
    void packetOfExactlyTheClientsMaximumIsDeliveredAndOneByteMoreIsNot() throws Exception {
        int maximum = 200;
        String topic = "mps/exact/t";
        // The PUBLISH the broker sends: QoS 1, no properties; find the payload that makes it `maximum` bytes.
        int payloadLength = payloadForPacketSize(topic, maximum);
        MqttProperties connect = new MqttProperties();
        connect.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), maximum));
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mps-exact-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "mps-exact-sub", connect)) {
            subscriber.subscribe(1, topic, 1);
            long droppedBefore = broker.metrics().get(Counter.DROPPED_TOO_LARGE_FOR_CLIENT);
            byte[] exact = new byte[payloadLength];
            Arrays.fill(exact, (byte) 'e');
            byte[] oneMore = new byte[payloadLength + 1];
            Arrays.fill(oneMore, (byte) 'o');
            publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(exact).send();
            publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(oneMore).send();
            publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("end")).send();

            MqttMessage first = subscriber.receive();
            assertNotNull(first, "nothing arrived");
            assertEquals(MqttMessageType.PUBLISH, first.fixedHeader().messageType());
            MqttPublishMessage firstPublish = (MqttPublishMessage) first;
            String firstPayload = firstPublish.payload().toString(StandardCharsets.UTF_8);
            int firstId = firstPublish.variableHeader().packetId();
            int firstSize = encodedSize(firstPublish); // releases it
            assertEquals(describe(new String(exact, StandardCharsets.UTF_8)), describe(firstPayload),
                    "the message whose PUBLISH is exactly the client's Maximum Packet Size was not delivered");
            assertEquals(maximum, firstSize);
            subscriber.ack(MqttMessageType.PUBACK, firstId);

            RawClient.Received next = subscriber.receivePublish();
            assertEquals("end", next.payload(), "the message one byte over the maximum was sent");
            subscriber.ack(MqttMessageType.PUBACK, next.packetId());
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> broker.metrics().get(Counter.DROPPED_TOO_LARGE_FOR_CLIENT) == droppedBefore + 1);
        } finally {
            publisher.disconnect();
        }
    }

    /**
     * A resumed session's unacknowledged messages are re-sent [MQTT-4.4.0-1], but under the new
     * connection's Maximum Packet Size: one that no longer fits is dropped [MQTT-3.1.2-25].
     */
    @Test
    void resentMessageAboveTheNewConnectionsMaximumIsDroppedAndTheRestStillArrive() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mps-resume-pub", new Inbox5());
        try {
            RawClient first = new RawClient(broker.port());
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, first.connect5("mps-resume", true, 0,
                    intProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL, 60)).variableHeader().connectReturnCode());
            first.subscribe(1, "mps/resume/t", 1);
            String big = "B".repeat(600);
            publisher.publishWith().topic("mps/resume/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes(big)).send();
            publisher.publishWith().topic("mps/resume/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small")).send();
            assertEquals(big, first.receivePublish().payload()); // neither is acknowledged
            assertEquals("small", first.receivePublish().payload());
            first.dropConnection();

            try (RawClient second = new RawClient(broker.port())) {
                MqttConnAckMessage ack = second.connect5("mps-resume", false, 0,
                        intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, 256)); // session ends with this connection
                assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
                assertTrue(ack.variableHeader().isSessionPresent(), "session not resumed");
                RawClient.Received resent = second.receivePublish();
                assertEquals("small", resent.payload(), "the oversized message was re-sent");
                assertTrue(resent.dup());
                second.ack(MqttMessageType.PUBACK, resent.packetId());
                assertNull(second.receive(QUIET));
            }
        } finally {
            publisher.disconnect();
        }
    }

    /**
     * Reason strings are optional: one that would make a packet exceed the client's maximum is left
     * out rather than the packet sent too large [MQTT-3.4.2-2] [MQTT-3.1.2-24].
     */
    @Test
    void errorPubAckDropsItsReasonStringRatherThanExceedTheClientsMaximum() throws Exception {
        int maximum = 20;
        try (RawClient client = RawClient.connected5(broker.port(), "mps-small-puback",
                intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, maximum))) {
            client.send(publish("mps/small/t", new byte[] {(byte) 0xC3, 0x28}, 1, 9,
                    intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)));
            MqttMessage ack = client.receive();
            assertNotNull(ack, "no PUBACK");
            assertEquals(MqttMessageType.PUBACK, ack.fixedHeader().messageType(), "got " + ack);
            assertEquals(0x99, ((MqttPubReplyMessageVariableHeader) ack.variableHeader()).reasonCode() & 0xFF);
            int size = encodedSize(ack);
            assertTrue(size <= maximum, "PUBACK of " + size + " bytes to a client whose Maximum Packet Size is " + maximum);
        }
    }

    /** [MQTT-3.14.2-3] */
    @Test
    void disconnectDropsItsReasonStringRatherThanExceedTheClientsMaximum() throws Exception {
        int maximum = 20;
        try (RawClient client = RawClient.connected5(broker.port(), "mps-small-disconnect",
                intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, maximum))) {
            MqttProperties aliasZero = intProperty(MqttPropertyType.TOPIC_ALIAS, 0); // a protocol violation
            client.send(publish("mps/small/t", bytes("x"), 1, 1, aliasZero));
            MqttMessage disconnect = client.receive();
            assertNotNull(disconnect, "no DISCONNECT");
            assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType(), "got " + disconnect);
            int size = encodedSize(disconnect);
            assertTrue(size <= maximum,
                    "DISCONNECT of " + size + " bytes to a client whose Maximum Packet Size is " + maximum);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    /** [MQTT-3.2.2-19] */
    @Test
    void refusingConnAckDropsItsReasonStringRatherThanExceedTheClientsMaximum() throws Exception {
        int maximum = 20;
        MqttProperties connect = intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, maximum);
        connect.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), "NO-SUCH-METHOD"));
        try (RawClient client = new RawClient(broker.port())) {
            MqttConnAckMessage ack = client.connect5("mps-small-connack", true, 0, connect);
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                    ack.variableHeader().connectReturnCode());
            int size = encodedSize(ack);
            assertTrue(size <= maximum, "CONNACK of " + size + " bytes to a client whose Maximum Packet Size is " + maximum);
        }
    }

    // ---- inbound: the broker's maximum -----------------------------------------------------------

    @Test
    void packetAboveTheBrokersMaximumGetsPacketTooLargeAndOnlyThatClientIsClosed() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "mps-in-sub", inbox);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mps-in-pub", new Inbox5());
        try (RawClient offender = RawClient.connected5(broker.port(), "mps-in-offender", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribeWith().topicFilter("mps/in/t").qos(MqttQos.AT_LEAST_ONCE).send();
            long tooLargeBefore = broker.metrics().get(Counter.PACKETS_TOO_LARGE);

            offender.send(publish("mps/in/t", new byte[2048], 1, 1, MqttProperties.NO_PROPERTIES));
            MqttMessage disconnect = offender.receive();
            assertNotNull(disconnect, "no DISCONNECT for a 2 KiB packet");
            assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType(), "got " + disconnect);
            assertEquals(PACKET_TOO_LARGE,
                    ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF);
            assertTrue(offender.awaitClosed(Duration.ofSeconds(5)), "connection not closed");
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> broker.metrics().get(Counter.PACKETS_TOO_LARGE) == tooLargeBefore + 1);

            // The other clients carry on; the oversized message was never delivered.
            publisher.publishWith().topic("mps/in/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("after")).send();
            inbox.expect("mps/in/t", "after");
            assertTrue(subscriber.getState().isConnected());
            assertTrue(publisher.getState().isConnected());
        } finally {
            publisher.disconnect();
            subscriber.disconnect();
        }
    }

    /** The maximum counts the whole packet, fixed header included. */
    @Test
    void packetOfExactlyTheBrokersMaximumIsAcceptedAndOneByteMoreIsNot() throws Exception {
        String topic = "mps/edge/t";
        int payloadLength = payloadForPacketSize(topic, BROKER_MAXIMUM);
        try (RawClient client = RawClient.connected5(broker.port(), "mps-edge", MqttProperties.NO_PROPERTIES)) {
            assertEquals(BROKER_MAXIMUM, encodedSize(publish(topic, new byte[payloadLength], 1, 1,
                    MqttProperties.NO_PROPERTIES)), "test premise: the PUBLISH is exactly the maximum");
            client.send(publish(topic, new byte[payloadLength], 1, 1, MqttProperties.NO_PROPERTIES));
            MqttMessage ack = client.receive();
            assertNotNull(ack, "no answer to a PUBLISH of exactly the maximum size");
            assertEquals(MqttMessageType.PUBACK, ack.fixedHeader().messageType(), "got " + ack);

            client.send(publish(topic, new byte[payloadLength + 1], 1, 2, MqttProperties.NO_PROPERTIES));
            MqttMessage disconnect = client.receive();
            assertNotNull(disconnect, "no DISCONNECT for a packet one byte above the maximum");
            assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType(), "got " + disconnect);
            assertEquals(PACKET_TOO_LARGE,
                    ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A payload for failure messages: short ones as they are, long ones by their length. */
    private static String describe(String payload) {
        return payload.length() <= 16 ? "'" + payload + "'" : payload.length() + " bytes starting " + payload.charAt(0);
    }

    /** The payload length that makes a QoS 1 PUBLISH to {@code topic} without properties exactly {@code size} bytes. */
    private static int payloadForPacketSize(String topic, int size) {
        for (int length = size; length >= 0; length--) {
            if (encodedSize(publish(topic, new byte[length], 1, 1, MqttProperties.NO_PROPERTIES)) == size) {
                return length;
            }
        }
        throw new AssertionError("no payload length gives a PUBLISH of " + size + " bytes");
    }

    /** The size of {@code message} encoded as MQTT 5 by netty's codec (as the broker encodes); releases it. */
    private static int encodedSize(MqttMessage message) {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(MQTT_VERSION).set(MqttVersion.MQTT_5);
        try {
            channel.writeOutbound(message);
            int size = 0;
            ByteBuf encoded;
            while ((encoded = channel.readOutbound()) != null) {
                size += encoded.readableBytes();
                ReferenceCountUtil.release(encoded);
            }
            return size;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
