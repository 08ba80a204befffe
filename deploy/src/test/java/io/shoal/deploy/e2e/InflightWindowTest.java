package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound inflight window and the re-sending of unacknowledged messages when a persistent
 * session reconnects [MQTT-4.4.0-1], with a window of three messages.
 */
class InflightWindowTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_MQTT_MAX_INFLIGHT", "3"));
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        publisher = Clients.paho(broker, "window-pub", true);
    }

    @AfterAll
    static void stop() throws Exception {
        publisher.disconnect();
    }

    @Test
    void atMostMaxInflightUnacknowledgedMessagesAreSent() throws Exception {
        try (RawClient subscriber = RawClient.connected(broker.port(), "window-sub", true)) {
        subscriber.subscribe(1, "window/a", 1);
            publish("window/a", 5, 1);
            List<RawClient.Received> first = List.of(subscriber.receivePublish(), subscriber.receivePublish(),
                    subscriber.receivePublish());
            assertEquals(List.of("0", "1", "2"), first.stream().map(RawClient.Received::payload).toList());
            assertNull(subscriber.receive(Duration.ofMillis(300)), "a fourth message before any PUBACK");
            subscriber.ack(MqttMessageType.PUBACK, first.get(0).packetId());
            assertEquals("3", subscriber.receivePublish().payload());
        }
    }

    @Test
    void packetIdsStillInFlightAreNotReused() throws Exception {
        try (RawClient subscriber = RawClient.connected(broker.port(), "ids-sub", true)) {
        subscriber.subscribe(1, "window/ids", 1);
            publish("window/ids", 40, 1);
            // Two messages stay unacknowledged for the whole run; 38 more cycle through the third slot.
            Set<Integer> pinned = Set.of(subscriber.receivePublish().packetId(), subscriber.receivePublish().packetId());
            Set<Integer> seen = new HashSet<>(pinned);
            for (int i = 2; i < 40; i++) {
        RawClient.Received m = subscriber.receivePublish();
                assertEquals(String.valueOf(i), m.payload());
                assertFalse(pinned.contains(m.packetId()), "packet id " + m.packetId() + " is still in flight");
                assertTrue(m.packetId() > 0 && m.packetId() <= 65535);
                seen.add(m.packetId());
                subscriber.ack(MqttMessageType.PUBACK, m.packetId());
            }
            assertEquals(40, seen.size());
        }
    }

    @Test
    void unacknowledgedQos1MessagesAreResentWithDupAndTheirPacketIdsOnReconnect() throws Exception {
        List<RawClient.Received> before;
        try (RawClient subscriber = RawClient.connected(broker.port(), "resend-sub", false)) {
        subscriber.subscribe(1, "window/resend", 1);
            publish("window/resend", 5, 1);
            before = List.of(subscriber.receivePublish(), subscriber.receivePublish(), subscriber.receivePublish());
            before.forEach(m -> assertFalse(m.dup()));
            subscriber.dropConnection();
        }
        try (RawClient subscriber = new RawClient(broker.port())) {
        assertTrue(subscriber.connect("resend-sub", false, 0).variableHeader().isSessionPresent());
            for (RawClient.Received original : before) {
        RawClient.Received again = subscriber.receivePublish();
                assertTrue(again.dup(), "re-sent PUBLISH must have DUP set [MQTT-3.3.1-1]");
                assertEquals(original.packetId(), again.packetId());
                assertEquals(original.payload(), again.payload());
                subscriber.ack(MqttMessageType.PUBACK, again.packetId());
            }
            RawClient.Received fourth = subscriber.receivePublish();
            assertEquals("3", fourth.payload());
            assertFalse(fourth.dup());
            subscriber.ack(MqttMessageType.PUBACK, fourth.packetId());
            assertEquals("4", subscriber.receivePublish().payload());
        }
    }

    @Test
    void aReleasedQos2MessageIsCompletedWithPubrelAfterReconnect() throws Exception {
        int packetId;
        try (RawClient subscriber = RawClient.connected(broker.port(), "rel-sub", false)) {
        subscriber.subscribe(1, "window/rel", 2);
            publish("window/rel", 1, 2);
            RawClient.Received m = subscriber.receivePublish();
            packetId = m.packetId();
            subscriber.ack(MqttMessageType.PUBREC, packetId);
            MqttMessage pubrel = subscriber.receive();
            assertEquals(MqttMessageType.PUBREL, pubrel.fixedHeader().messageType());
            subscriber.dropConnection(); // before PUBCOMP
        }
        try (RawClient subscriber = new RawClient(broker.port())) {
        subscriber.connect("rel-sub", false, 0);
            MqttMessage again = subscriber.receive();
            assertEquals(MqttMessageType.PUBREL, again.fixedHeader().messageType(), "PUBREL, not the PUBLISH");
            assertEquals(packetId, ((MqttMessageIdVariableHeader) again.variableHeader()).messageId());
            subscriber.ack(MqttMessageType.PUBCOMP, packetId);
        }
    }

    private static void publish(String topic, int count, int qos) throws Exception {
        for (int i = 0; i < count; i++) {
        publisher.publish(topic, String.valueOf(i).getBytes(), qos, false);
        }
    }
}
