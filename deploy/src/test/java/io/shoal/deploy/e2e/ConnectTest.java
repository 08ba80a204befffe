package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.shoal.node.metrics.Counter;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONNECT validation, MQTT 3.1.1 section 3.1, seen from the client. */
class ConnectTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {MqttConnectOptions.MQTT_VERSION_3_1, MqttConnectOptions.MQTT_VERSION_3_1_1})
    void acceptsMqtt31And311Clients(int version) throws Exception {
        MqttConnectOptions options = Clients.pahoOptions(true);
        options.setMqttVersion(version);
        MqttClient client = new MqttClient(broker.uri(), "level-" + version, new MemoryPersistence());
        client.connect(options);
        Inbox inbox = new Inbox();
        client.subscribe("connect/level/" + version, 1, inbox);
        client.publish("connect/level/" + version, "hi".getBytes(), 1, false);
        inbox.expect("connect/level/" + version, "hi");
        client.disconnect();
    }

    @Test
    void unsupportedProtocolLevelGetsReturnCode1ThenClose() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.sendBytes(Packets.connect("MQTT", 6, 0x02, "level-6"));
            MqttConnAckMessage ack = (MqttConnAckMessage) client.receive();
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    ack.variableHeader().connectReturnCode());
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void unknownProtocolNameIsClosedWithoutConnack() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.sendBytes(Packets.connect("MQTX", 4, 0x02, "bad-name"));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void emptyClientIdWithCleanSessionIsAssignedAUniqueId() throws Exception {
        // Two clients without an id are both served: had they been given the same id,
        // the second would have taken the first over.
        MqttClient first = Clients.paho(broker, "", true);
        MqttClient second = Clients.paho(broker, "", true);
        Inbox inbox = new Inbox();
        first.subscribe("connect/anonymous", 1, inbox);
        second.publish("connect/anonymous", "from second".getBytes(), 1, false);
        inbox.expect("connect/anonymous", "from second");
        assertTrue(first.isConnected());
        assertTrue(second.isConnected());
        first.disconnect();
        second.disconnect();
    }

    @Test
    void emptyClientIdWithoutCleanSessionIsRejectedWith2() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
        MqttConnAckMessage ack = client.connect("", false, 0);
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    ack.variableHeader().connectReturnCode());
            assertFalse(ack.variableHeader().isSessionPresent(), "[MQTT-3.2.2-4]");
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void mqtt31ClientIdLongerThan23CharactersIsRejectedWith2() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.sendBytes(Packets.connect("MQIsdp", 3, 0x02, "abcdefghijklmnopqrstuvwx"));
            MqttConnAckMessage ack = (MqttConnAckMessage) client.receive();
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    ack.variableHeader().connectReturnCode());
        }
    }

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {
        0x03, // reserved bit set [MQTT-3.1.2-3]
            0x0A, // will QoS 1 without will flag [MQTT-3.1.2-13]
            0x22, // will retain without will flag [MQTT-3.1.2-15]
            0x1E, // will QoS 3 [MQTT-3.1.2-14]
            0x42  // password without user name [MQTT-3.1.2-22]
    })
    void inconsistentConnectFlagsCloseTheConnectionWithoutConnack(int flags) throws Exception {
        long errors = broker.metrics().get(Counter.PROTOCOL_ERRORS);
        try (RawClient client = new RawClient(broker.port())) {
            client.sendBytes(Packets.connect("MQTT", 4, flags, "flags-" + flags));
            assertNull(client.receive(), "no CONNACK expected");
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertTrue(broker.metrics().get(Counter.PROTOCOL_ERRORS) > errors);
    }

    @Test
    void secondConnectIsAProtocolViolation() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "twice", true)) {
        client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId("twice").build());
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void packetsSentRightAfterConnectAreServedInOrder() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
        // CONNECT, SUBSCRIBE and PUBLISH in one write, before the CONNACK arrives.
            client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId("eager")
                    .cleanSession(true).build());
            client.send(MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "connect/eager").build());
            client.publish("connect/eager", "early", 1, 2, false);
            MqttMessage connAck = client.receive();
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED,
                    ((MqttConnAckMessage) connAck).variableHeader().connectReturnCode());
            boolean sawSubAck = false;
            boolean sawPubAck = false;
            boolean sawPublish = false;
            for (int i = 0; i < 3; i++) {
        MqttMessage m = client.receive();
                switch (m.fixedHeader().messageType()) {
        case SUBACK -> sawSubAck = true;
                    case PUBACK -> sawPubAck = true;
                    case PUBLISH -> {
        sawPublish = true;
                        ReferenceCountUtil.release(m);
                    }
                    default -> throw new AssertionError("unexpected " + m);
                }
            }
            assertTrue(sawSubAck && sawPubAck && sawPublish);
            assertFalse(client.awaitClosed(Duration.ofMillis(100)));
        }
    }
}
