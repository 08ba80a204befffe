package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What CONNACK tells an MQTT 5 client about the broker's limits and its own session. */
class ConnAckPropertiesTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of(
            "SHOAL_MQTT_MAX_PACKET_SIZE", "64KiB",
            "SHOAL_MQTT_RECEIVE_MAXIMUM", "50",
            "SHOAL_MQTT_TOPIC_ALIAS_MAXIMUM", "7",
            "SHOAL_MQTT_MAX_QOS", "1",
            "SHOAL_MQTT_MAX_SESSION_EXPIRY", "1h",
            "SHOAL_MQTT_SERVER_KEEP_ALIVE", "30s",
            "SHOAL_MQTT_RESPONSE_INFORMATION", "replies/"));

    private static Mqtt5BlockingClient client(String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
    }

    @Test
    void announcesTheBrokersLimits() {
        Mqtt5BlockingClient client = client("limits");
        Mqtt5ConnAck ack = client.connect();
        try {
            Mqtt5ConnAckRestrictions r = ack.getRestrictions();
            assertEquals(50, r.getReceiveMaximum());
            assertEquals(MqttQos.AT_LEAST_ONCE, r.getMaximumQos());
            assertTrue(r.isRetainAvailable());
            assertEquals(64 * 1024, r.getMaximumPacketSize());
            assertEquals(7, r.getTopicAliasMaximum());
            assertTrue(r.isWildcardSubscriptionAvailable());
            assertTrue(r.areSubscriptionIdentifiersAvailable());
            assertTrue(r.isSharedSubscriptionAvailable());
            assertEquals(OptionalInt.of(30), ack.getServerKeepAlive());
            assertFalse(ack.getAssignedClientIdentifier().isPresent(), "the client chose its identifier");
            assertFalse(ack.getResponseInformation().isPresent(), "response information was not requested");
        } finally {
            client.disconnect();
        }
    }

    @Test
    void emptyClientIdentifierIsAssignedAndAnnounced() {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5()
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        Mqtt5ConnAck ack = client.connect();
        try {
            assertTrue(ack.getAssignedClientIdentifier().isPresent());
            assertFalse(ack.getAssignedClientIdentifier().get().toString().isEmpty());
        } finally {
            client.disconnect();
        }
    }

    @Test
    void sessionExpiryAboveTheMaximumIsCappedAndAnnounced() {
        Mqtt5BlockingClient client = client("long-session");
        Mqtt5ConnAck ack = client.connectWith().cleanStart(true).sessionExpiryInterval(86_400).send();
        try {
            assertEquals(OptionalLong.of(3600), ack.getSessionExpiryInterval());
        } finally {
            client.disconnectWith().sessionExpiryInterval(0).send();
        }
    }

    @Test
    void sessionExpiryWithinTheMaximumIsNotRepeated() {
        Mqtt5BlockingClient client = client("short-session");
        Mqtt5ConnAck ack = client.connectWith().sessionExpiryInterval(60).send();
        try {
            assertEquals(OptionalLong.empty(), ack.getSessionExpiryInterval());
        } finally {
            client.disconnectWith().sessionExpiryInterval(0).send();
        }
    }
}
