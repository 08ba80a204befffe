package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.shoal.deploy.e2e.mqtt5.Packets5.bytes;
import static io.shoal.deploy.e2e.mqtt5.Packets5.intProperty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 topic aliases (3.3.2.3.4), both ways. Inbound: a publisher may use aliases up to the
 * broker's Topic Alias Maximum (3 here); alias 0 or above the maximum is 0x94, an empty topic with
 * an unknown alias 0x82. Outbound (outbound-topic-aliases on): the broker gives aliases up to the
 * subscriber's own Topic Alias Maximum, and none to a client that allows none.
 */
class TopicAliasTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of(
            "SHOAL_MQTT_TOPIC_ALIAS_MAXIMUM", "3",
            "SHOAL_MQTT_OUTBOUND_TOPIC_ALIASES", "true"));

    private static final int PROTOCOL_ERROR = 0x82;
    private static final int TOPIC_ALIAS_INVALID = 0x94;
    private static final Duration QUIET = Duration.ofMillis(500);

    // ---- inbound -------------------------------------------------------------------------------

    @Test
    void brokerAnnouncesItsTopicAliasMaximum() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            MqttConnAckMessage ack = client.connect5("ta-announce", true, 0, MqttProperties.NO_PROPERTIES);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
            MqttProperties.MqttProperty<?> max = ack.variableHeader().properties()
                    .getProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value());
            assertNotNull(max, "no Topic Alias Maximum in CONNACK");
            assertEquals(3, max.value());
        }
    }

    @Test
    void inboundAliasStandsForItsTopicAndCanBeRemapped() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "ta-in-sub", inbox);
        try (RawClient publisher = RawClient.connected5(broker.port(), "ta-in-pub", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribeWith().topicFilter("ta/in/#").qos(MqttQos.AT_LEAST_ONCE).send();
            publishAcked(publisher, "ta/in/a", 1, "a-full", 1);
            publishAcked(publisher, "", 1, "a-alias", 2);
            publishAcked(publisher, "ta/in/c", 3, "c-full", 3); // the highest alias allowed
            publishAcked(publisher, "", 3, "c-alias", 4);
            publishAcked(publisher, "ta/in/b", 1, "b-full", 5); // alias 1 now stands for ta/in/b
            publishAcked(publisher, "", 1, "b-alias", 6);
            publishAcked(publisher, "", 3, "c-again", 7);

            inbox.expect("ta/in/a", "a-full");
            inbox.expect("ta/in/a", "a-alias");
            inbox.expect("ta/in/c", "c-full");
            inbox.expect("ta/in/c", "c-alias");
            inbox.expect("ta/in/b", "b-full");
            inbox.expect("ta/in/b", "b-alias");
            inbox.expect("ta/in/c", "c-again");
        } finally {
            subscriber.disconnect();
        }
    }

    @Test
    void aliasZeroIsTopicAliasInvalid() throws Exception {
        try (RawClient publisher = RawClient.connected5(broker.port(), "ta-zero", MqttProperties.NO_PROPERTIES)) {
            publisher.send(publish("ta/zero", 0, "x", 1));
            assertDisconnected(publisher, TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    void aliasAboveTheMaximumIsTopicAliasInvalid() throws Exception {
        try (RawClient publisher = RawClient.connected5(broker.port(), "ta-above", MqttProperties.NO_PROPERTIES)) {
            publisher.send(publish("ta/above", 4, "x", 1));
            assertDisconnected(publisher, TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    void emptyTopicWithAnAliasNeverSetIsAProtocolError() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "ta-unset-sub", inbox);
        try (RawClient publisher = RawClient.connected5(broker.port(), "ta-unset", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribeWith().topicFilter("ta/unset/#").qos(MqttQos.AT_LEAST_ONCE).send();
            publishAcked(publisher, "ta/unset/a", 1, "sets alias 1", 1);
            publisher.send(publish("", 2, "x", 2));
            assertDisconnected(publisher, PROTOCOL_ERROR);
            inbox.expect("ta/unset/a", "sets alias 1");
            assertNull(inbox.poll(QUIET), "the PUBLISH with an unknown alias was delivered");
        } finally {
            subscriber.disconnect();
        }
    }

    @Test
    void emptyTopicWithoutAliasIsAProtocolError() throws Exception {
        try (RawClient publisher = RawClient.connected5(broker.port(), "ta-no-topic", MqttProperties.NO_PROPERTIES)) {
            publisher.send(publish("", null, "x", 1));
            assertDisconnected(publisher, PROTOCOL_ERROR);
        }
    }

    /** Mappings belong to one network connection [MQTT-3.3.2-7]. */
    @Test
    void inboundAliasesDoNotCarryOverToTheNextConnection() throws Exception {
        try (RawClient first = RawClient.connected5(broker.port(), "ta-carry", MqttProperties.NO_PROPERTIES)) {
            publishAcked(first, "ta/carry/t", 2, "first", 1);
        }
        try (RawClient second = RawClient.connected5(broker.port(), "ta-carry", MqttProperties.NO_PROPERTIES)) {
            second.send(publish("", 2, "second", 1));
            assertDisconnected(second, PROTOCOL_ERROR);
        }
    }

    @Test
    void withTopicAliasMaximumZeroAnyAliasIsTopicAliasInvalid() throws Exception {
        try (TestBroker noAliases = TestBroker.start(Map.of("SHOAL_MQTT_TOPIC_ALIAS_MAXIMUM", "0"))) {
            try (RawClient publisher = new RawClient(noAliases.port())) {
                MqttConnAckMessage ack = publisher.connect5("ta-max0", true, 0, MqttProperties.NO_PROPERTIES);
                assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
                MqttProperties.MqttProperty<?> max = ack.variableHeader().properties()
                        .getProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value());
                assertTrue(max == null || (Integer) max.value() == 0, "Topic Alias Maximum " + max.value());
                publishAcked(publisher, "ta/max0/t", null, "no alias is fine", 1);
                publisher.send(publish("ta/max0/t", 1, "x", 2));
                assertDisconnected(publisher, TOPIC_ALIAS_INVALID);
            }
        }
    }

    // ---- outbound ------------------------------------------------------------------------------

    @Test
    void brokerAssignsAliasesUpToTheClientsMaximum() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "ta-out-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "ta-out-sub",
                intProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 2))) {
            subscriber.subscribe(1, "ta/out/#", 0);
            String[][] sent = {{"ta/out/x", "1"}, {"ta/out/x", "2"}, {"ta/out/y", "3"}, {"ta/out/z", "4"},
                    {"ta/out/y", "5"}, {"ta/out/z", "6"}, {"ta/out/x", "7"}};
            for (String[] m : sent) {
                publisher.publishWith().topic(m[0]).qos(MqttQos.AT_MOST_ONCE).payload(bytes(m[1])).send();
            }
            List<Seen> seen = new ArrayList<>();
            for (int i = 0; i < sent.length; i++) {
                seen.add(receive(subscriber));
            }
            // x and y get the two aliases the client allows; z, the third topic, travels in full each time.
            assertEquals(List.of(
                    new Seen("ta/out/x", 1, "1"), new Seen("", 1, "2"), new Seen("ta/out/y", 2, "3"),
                    new Seen("ta/out/z", null, "4"), new Seen("", 2, "5"), new Seen("ta/out/z", null, "6"),
                    new Seen("", 1, "7")), seen);
        } finally {
            publisher.disconnect();
        }
    }

    /** A new connection starts without mappings [MQTT-3.3.2-7]: the first message carries its topic again. */
    @Test
    void outboundAliasesStartAfreshOnANewConnection() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "ta-renew-pub", new Inbox5());
        MqttProperties connect = intProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 2);
        try {
            try (RawClient first = RawClient.connected5(broker.port(), "ta-renew-sub", connect)) {
                first.subscribe(1, "ta/renew/t", 0);
                publisher.publishWith().topic("ta/renew/t").payload(bytes("a")).send();
                publisher.publishWith().topic("ta/renew/t").payload(bytes("b")).send();
                assertEquals(new Seen("ta/renew/t", 1, "a"), receive(first));
                assertEquals(new Seen("", 1, "b"), receive(first));
            }
            try (RawClient second = RawClient.connected5(broker.port(), "ta-renew-sub", connect)) {
                second.subscribe(1, "ta/renew/t", 0);
                publisher.publishWith().topic("ta/renew/t").payload(bytes("c")).send();
                publisher.publishWith().topic("ta/renew/t").payload(bytes("d")).send();
                assertEquals(new Seen("ta/renew/t", 1, "c"), receive(second));
                assertEquals(new Seen("", 1, "d"), receive(second));
            }
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void clientThatAllowsNoAliasesGetsNone() throws Exception {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "ta-none-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "ta-none-sub", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribe(1, "ta/none/t", 1);
            for (String payload : List.of("1", "2", "3")) {
                publisher.publishWith().topic("ta/none/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes(payload)).send();
            }
            for (String payload : List.of("1", "2", "3")) {
                assertEquals(new Seen("ta/none/t", null, payload), receive(subscriber));
            }
        } finally {
            publisher.disconnect();
        }
    }

    @Test
    void realClientResolvesTheAliasesItIsSent() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "ta-hivemq-sub");
        subscriber.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        subscriber.connectWith().restrictions().topicAliasMaximum(5).applyRestrictions().send();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "ta-hivemq-pub", new Inbox5());
        try {
            subscriber.subscribeWith().topicFilter("ta/hivemq/#").qos(MqttQos.AT_LEAST_ONCE).send();
            // Seven topics, more than the five aliases the client allows, three rounds each.
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int t = 0; t < 7; t++) {
                    String topic = "ta/hivemq/t" + t;
                    publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("r" + round)).send();
                    expected.add(topic + " r" + round);
                }
            }
            for (String e : expected) {
                String[] topicAndPayload = e.split(" ");
                inbox.expect(topicAndPayload[0], topicAndPayload[1]);
            }
            assertTrue(subscriber.getState().isConnected(), "the client was disconnected");
        } finally {
            publisher.disconnect();
            subscriber.disconnect();
        }
    }

    @Test
    void withoutOutboundTopicAliasesNoneAreSentEvenIfTheClientAllowsThem() throws Exception {
        try (TestBroker defaults = TestBroker.start(Map.of())) {
            Mqtt5BlockingClient publisher = Clients5.hivemq(defaults, "ta-off-pub", new Inbox5());
            try (RawClient subscriber = RawClient.connected5(defaults.port(), "ta-off-sub",
                    intProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 10))) {
                subscriber.subscribe(1, "ta/off/t", 0);
                publisher.publishWith().topic("ta/off/t").payload(bytes("1")).send();
                publisher.publishWith().topic("ta/off/t").payload(bytes("2")).send();
                assertEquals(new Seen("ta/off/t", null, "1"), receive(subscriber));
                assertEquals(new Seen("ta/off/t", null, "2"), receive(subscriber));
            } finally {
                publisher.disconnect();
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A PUBLISH as it arrived: topic as sent (empty when only the alias stands for it), alias or null. */
    private record Seen(String topic, Integer alias, String payload) {
    }

    private static Seen receive(RawClient client) throws Exception {
        MqttMessage message = client.receive();
        assertNotNull(message, "expected a PUBLISH, got nothing");
        assertEquals(MqttMessageType.PUBLISH, message.fixedHeader().messageType(), "got " + message);
        MqttPublishMessage publish = (MqttPublishMessage) message;
        try {
            MqttProperties.MqttProperty<?> alias = publish.variableHeader().properties()
                    .getProperty(MqttPropertyType.TOPIC_ALIAS.value());
            if (publish.fixedHeader().qosLevel().value() > 0) {
                client.ack(MqttMessageType.PUBACK, publish.variableHeader().packetId());
            }
            return new Seen(publish.variableHeader().topicName(), alias == null ? null : (Integer) alias.value(),
                    publish.payload().toString(StandardCharsets.UTF_8));
        } finally {
            publish.release();
        }
    }

    /** A QoS 1 PUBLISH with {@code topic} (maybe empty) and, unless null, a Topic Alias. */
    private static MqttPublishMessage publish(String topic, Integer alias, String payload, int packetId) {
        MqttProperties properties = alias == null ? MqttProperties.NO_PROPERTIES
                : intProperty(MqttPropertyType.TOPIC_ALIAS, alias);
        return Packets5.publish(topic, bytes(payload), 1, packetId, properties);
    }

    /** Publishes at QoS 1 and expects a PUBACK with a success reason code (0x00 or 0x10). */
    private static void publishAcked(RawClient client, String topic, Integer alias, String payload, int packetId)
            throws Exception {
        client.send(publish(topic, alias, payload, packetId));
        MqttMessage ack = client.receive();
        assertNotNull(ack, "no PUBACK for " + payload);
        assertEquals(MqttMessageType.PUBACK, ack.fixedHeader().messageType(), "got " + ack);
        int id;
        int reason = 0;
        if (ack.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply) {
            id = reply.messageId();
            reason = reply.reasonCode() & 0xFF;
        } else {
            id = ((MqttMessageIdVariableHeader) ack.variableHeader()).messageId();
        }
        assertEquals(packetId, id);
        assertTrue(reason < 0x80, "PUBACK reason code 0x" + Integer.toHexString(reason) + " for " + payload);
    }

    private static void assertDisconnected(RawClient client, int reasonCode) throws Exception {
        MqttMessage disconnect = client.receive();
        assertNotNull(disconnect, "expected DISCONNECT 0x" + Integer.toHexString(reasonCode) + ", got nothing");
        assertEquals(MqttMessageType.DISCONNECT, disconnect.fixedHeader().messageType(), "got " + disconnect);
        assertEquals(reasonCode,
                ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF,
                "DISCONNECT reason code");
        assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "connection not closed after DISCONNECT");
    }
}
