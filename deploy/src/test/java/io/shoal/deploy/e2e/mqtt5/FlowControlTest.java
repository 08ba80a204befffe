package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.shoal.deploy.e2e.mqtt5.Packets5.bytes;
import static io.shoal.deploy.e2e.mqtt5.Packets5.intProperty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 flow control (4.9), both ways: the client's Receive Maximum bounds what the broker has in
 * flight to it; the broker's Receive Maximum (here 2) is announced in CONNACK, respected by a real
 * client and enforced against one that ignores it (DISCONNECT 0x93).
 */
class FlowControlTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_MQTT_RECEIVE_MAXIMUM", "2"));

    private static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    private static final Duration QUIET = Duration.ofMillis(700);

    // ---- outbound: the client's Receive Maximum ------------------------------------------------

    @Test
    void clientReceiveMaximumBoundsWhatTheBrokerHasInFlight() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "fc-out-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "fc-out-sub",
                intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 2))) {
            subscriber.subscribe(1, "fc/out/t", 1);
            for (int i = 0; i < 5; i++) {
                publisher.publishWith().topic("fc/out/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m" + i)).send();
            }
            List<RawClient.Received> received = new ArrayList<>();
            received.add(subscriber.receivePublish());
            received.add(subscriber.receivePublish());
            assertNull(subscriber.receive(QUIET), "a third PUBLISH while two are unacknowledged");

            subscriber.ack(MqttMessageType.PUBACK, received.get(0).packetId());
            received.add(subscriber.receivePublish());
            assertNull(subscriber.receive(QUIET), "a PUBLISH beyond the Receive Maximum after one PUBACK");

            // Acknowledge the rest one at a time; each PUBACK lets exactly one more through.
            for (int acked = 1; acked < 4; acked++) {
                subscriber.ack(MqttMessageType.PUBACK, received.get(acked).packetId());
                if (received.size() < 5) {
                    received.add(subscriber.receivePublish());
                }
            }
            subscriber.ack(MqttMessageType.PUBACK, received.get(4).packetId());
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4"),
                    received.stream().map(RawClient.Received::payload).toList(), "all five, in order");
            received.forEach(r -> assertEquals(1, r.qos()));
            assertNull(subscriber.receive(QUIET), "more than the five messages");
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void clientReceiveMaximumCountsQos2UntilPubComp() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "fc-out2-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "fc-out2-sub",
                intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 1))) {
            subscriber.subscribe(1, "fc/out2/t", 2);
            publisher.publishWith().topic("fc/out2/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("a")).send();
            publisher.publishWith().topic("fc/out2/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("b")).send();

            RawClient.Received first = subscriber.receivePublish();
            assertEquals("a", first.payload());
            subscriber.ack(MqttMessageType.PUBREC, first.packetId());
            MqttMessage pubRel = subscriber.receive();
            assertNotNull(pubRel, "no PUBREL");
            assertEquals(MqttMessageType.PUBREL, pubRel.fixedHeader().messageType(),
                    "the next message was sent before the first one's PUBCOMP");
            assertNull(subscriber.receive(QUIET), "a PUBLISH before PUBCOMP freed the only slot");
            subscriber.ack(MqttMessageType.PUBCOMP, first.packetId());
            assertEquals("b", subscriber.receivePublish().payload());
        } finally {
            publisher.disconnect();
        }
    }

    /**
     * Receive Maximum belongs to a network connection (4.9): unacknowledged messages re-sent to a
     * resumed session [MQTT-4.4.0-1] count against the new connection's Receive Maximum too.
     */
    @Test
    void resentMessagesOfAResumedSessionRespectTheNewReceiveMaximum() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "fc-resume-pub", new Inbox5());
        try {
            MqttProperties firstConnect = intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 5);
            firstConnect.add(new MqttProperties.IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 60));
            RawClient first = new RawClient(broker.port());
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED,
                    first.connect5("fc-resume", true, 0, firstConnect).variableHeader().connectReturnCode());
            first.subscribe(1, "fc/resume/t", 1);
            for (int i = 0; i < 5; i++) {
                publisher.publishWith().topic("fc/resume/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m" + i)).send();
            }
            for (int i = 0; i < 5; i++) {
                assertEquals("m" + i, first.receivePublish().payload()); // none acknowledged
            }
            first.dropConnection();

            try (RawClient second = new RawClient(broker.port())) {
                MqttConnAckMessage ack = second.connect5("fc-resume", false, 0,
                        intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 2)); // session ends with this connection
                assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
                assertTrue(ack.variableHeader().isSessionPresent(), "session not resumed");
                List<RawClient.Received> received = new ArrayList<>();
                received.add(second.receivePublish());
                received.add(second.receivePublish());
                assertNull(second.receive(QUIET),
                        "more re-sent PUBLISHes than the new connection's Receive Maximum of 2");
                for (int acked = 0; acked < 5; acked++) {
                    second.ack(MqttMessageType.PUBACK, received.get(acked).packetId());
                    if (received.size() < 5) {
                        received.add(second.receivePublish());
                    }
                }
                assertEquals(List.of("m0", "m1", "m2", "m3", "m4"),
                        received.stream().map(RawClient.Received::payload).toList());
                assertTrue(received.get(0).dup() && received.get(1).dup(), "re-sent PUBLISHes without DUP");
            }
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void receiveMaximumZeroIsRefusedAsAProtocolError() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            MqttConnAckMessage ack = client.connect5("fc-zero", true, 0, intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 0));
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR, ack.variableHeader().connectReturnCode());
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    // ---- inbound: the broker's Receive Maximum -------------------------------------------------

    @Test
    void brokerReceiveMaximumIsAnnouncedInConnAck() throws Exception {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "fc-announce");
        Mqtt5ConnAck ack = client.connect();
        try {
            assertEquals(2, ack.getRestrictions().getReceiveMaximum());
        } finally {
            client.disconnect();
        }
        try (RawClient raw = new RawClient(broker.port())) {
            MqttConnAckMessage connAck = raw.connect5("fc-announce-raw", true, 0, MqttProperties.NO_PROPERTIES);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connAck.variableHeader().connectReturnCode());
            MqttProperties.MqttProperty<?> max = connAck.variableHeader().properties()
                    .getProperty(MqttPropertyType.RECEIVE_MAXIMUM.value());
            assertNotNull(max, "no Receive Maximum in CONNACK");
            assertEquals(2, max.value());
        }
    }

    @Test
    void moreUnreleasedQos2MessagesThanTheReceiveMaximumAreAProtocolViolation() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "fc-in-exceed", MqttProperties.NO_PROPERTIES)) {
            client.send(publish("fc/in/exceed", "1", 2, 1));
            assertEquals(MqttMessageType.PUBREC, next(client).fixedHeader().messageType());
            client.send(publish("fc/in/exceed", "2", 2, 2));
            assertEquals(MqttMessageType.PUBREC, next(client).fixedHeader().messageType());
            client.send(publish("fc/in/exceed", "3", 2, 3));

            MqttMessage disconnect = next(client);
            assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType(),
                    "expected DISCONNECT, got " + disconnect);
            assertEquals(RECEIVE_MAXIMUM_EXCEEDED,
                    ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "connection not closed after DISCONNECT 0x93");
        }
    }

    @Test
    void resentAndReleasedMessagesDoNotCountAgainstTheReceiveMaximum() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "fc-in-within", MqttProperties.NO_PROPERTIES)) {
            client.send(publish("fc/in/within", "1", 2, 1));
            assertEquals(MqttMessageType.PUBREC, next(client).fixedHeader().messageType());
            client.send(publish("fc/in/within", "2", 2, 2));
            assertEquals(MqttMessageType.PUBREC, next(client).fixedHeader().messageType());
            // A re-sent PUBLISH (DUP) of a message already counted is not a third one.
            client.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, MqttQoS.EXACTLY_ONCE,
                    false, 0), new MqttPublishVariableHeader("fc/in/within", 1, MqttProperties.NO_PROPERTIES),
                    Unpooled.copiedBuffer("1", StandardCharsets.UTF_8)));
            assertEquals(MqttMessageType.PUBREC, next(client).fixedHeader().messageType());
            // Releasing one frees its place for a new message.
            client.ack(MqttMessageType.PUBREL, 1);
            assertEquals(MqttMessageType.PUBCOMP, next(client).fixedHeader().messageType());
            client.send(publish("fc/in/within", "3", 2, 3));
            MqttMessage third = next(client);
            assertEquals(MqttMessageType.PUBREC, third.fixedHeader().messageType(), "expected PUBREC, got " + third);
            // QoS 1 messages are acknowledged at once and never pile up.
            for (int id = 10; id < 15; id++) {
                client.send(publish("fc/in/within", "q1", 1, id));
                assertEquals(MqttMessageType.PUBACK, next(client).fixedHeader().messageType());
            }
        }
    }

    @Test
    void realClientIsThrottledByTheReceiveMaximumAndEveryMessageArrivesExactlyOnce() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "fc-many-sub", inbox);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "fc-many-pub", new Inbox5());
        try {
            subscriber.subscribeWith().topicFilter("fc/many/t").qos(MqttQos.EXACTLY_ONCE).send();
            Mqtt5AsyncClient async = publisher.toAsync();
            List<CompletableFuture<Mqtt5PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(async.publishWith().topic("fc/many/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("m" + i))
                        .send());
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            for (CompletableFuture<Mqtt5PublishResult> f : results) {
                Mqtt5PublishResult result = f.join();
                assertTrue(result.getError().isEmpty(), () -> "publish failed: " + result.getError());
                assertEquals(Mqtt5PubRecReasonCode.SUCCESS,
                        ((Mqtt5PublishResult.Mqtt5Qos2Result) result).getPubRec().getReasonCode());
            }
            assertTrue(publisher.getState().isConnected(), "the publisher was disconnected");

            Set<String> payloads = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                Inbox5.Message m = inbox.next();
                assertNotNull(m, "only " + i + " of 20 messages arrived");
                assertEquals("fc/many/t", m.topic());
                assertEquals(2, m.qos());
                assertTrue(payloads.add(m.payload()), "duplicate " + m.payload());
            }
            // A marker published after all 20 completed comes next: nothing was duplicated in between.
            publisher.publishWith().topic("fc/many/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("end")).send();
            inbox.expect("fc/many/t", "end");
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                expected.add("m" + i);
            }
            assertEquals(expected, payloads);
        } finally {
            publisher.disconnect();
            subscriber.disconnect();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static MqttPublishMessage publish(String topic, String payload, int qos, int packetId) {
        return Packets5.publish(topic, bytes(payload), qos, packetId, MqttProperties.NO_PROPERTIES);
    }

    private static MqttMessage next(RawClient client) throws Exception {
        MqttMessage message = client.receive();
        assertNotNull(message, "expected a packet, got nothing");
        return message;
    }
}
