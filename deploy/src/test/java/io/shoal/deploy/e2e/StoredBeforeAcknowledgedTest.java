package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A QoS 1 or 2 PUBLISH is acknowledged only once its message is stored for every offline persistent
 * subscriber; when storing fails, an MQTT 5 publisher is told so and an MQTT 3.1.1 publisher is
 * disconnected without the acknowledgement. The broker's journal is a {@link GatedJournal}.
 */
class StoredBeforeAcknowledgedTest {

    private static final String REQUEST_TIMEOUT = "3s";
    private static final Duration NO_ACK_WITHIN = Duration.ofMillis(300);

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_SESSION_REQUEST_TIMEOUT", REQUEST_TIMEOUT),
            GatedJournal.CONFIG);

    @AfterEach
    void journalWorksAgain() {
        GatedJournal.reset();
    }

    @Test
    void everyAcknowledgedMessageReachesTheOfflineSubscriberInOrder() throws Exception {
        StoredSessions.goOffline(broker, "burst-sub", "stored/burst");
        int burst = 200;
        try (RawClient publisher = RawClient.connected(broker.port(), "burst-pub", true)) {
            for (int id = 1; id <= burst; id++) {
                publisher.publish("stored/burst", "m" + id, 1, id, false);
            }
            for (int id = 1; id <= burst; id++) {
                MqttMessage ack = publisher.receive();
                assertNotNull(ack, "PUBACK " + id);
                assertEquals(MqttMessageType.PUBACK, ack.fixedHeader().messageType());
                assertEquals(id, StoredSessions.packetId(ack), "PUBACKs in the order of the PUBLISHes [MQTT-4.6.0-2]");
            }
        }

        try (RawClient subscriber = RawClient.connected(broker.port(), "burst-sub", false)) {
            for (int i = 1; i <= burst; i++) {
                RawClient.Received message = subscriber.receivePublish();
                assertEquals("m" + i, message.payload());
                subscriber.ack(MqttMessageType.PUBACK, message.packetId());
            }
        }
    }

    @Test
    void theAcknowledgementWaitsUntilTheMessageIsStored() throws Exception {
        StoredSessions.goOffline(broker, "held-sub", "stored/held");
        try (RawClient publisher = RawClient.connected(broker.port(), "held-pub", true)) {
            GatedJournal.holdWrites();
            publisher.publish("stored/held", "one", 1, 1, false);
            publisher.publish("stored/held", "two", 2, 2, false);
            await().until(() -> GatedJournal.heldWrites() > 0);

            assertNull(publisher.receive(NO_ACK_WITHIN), "acknowledged before the journal confirmed the write");
            GatedJournal.reset();

            MqttMessage pubAck = publisher.receive();
            assertEquals(MqttMessageType.PUBACK, pubAck.fixedHeader().messageType());
            assertEquals(1, StoredSessions.packetId(pubAck));
            MqttMessage pubRec = publisher.receive();
            assertEquals(MqttMessageType.PUBREC, pubRec.fixedHeader().messageType());
            assertEquals(2, StoredSessions.packetId(pubRec));
        }
        try (RawClient subscriber = RawClient.connected(broker.port(), "held-sub", false)) {
            assertEquals("one", subscriber.receivePublish().payload());
            assertEquals("two", subscriber.receivePublish().payload());
        }
    }

    @Test
    void anMqtt5PublisherIsToldWhenTheMessageCannotBeStored() throws Exception {
        StoredSessions.goOffline(broker, "failing-sub5", "stored/failing5");
        long before = StoredSessions.notStored(broker);
        try (RawClient publisher = RawClient.connected5(broker.port(), "failing-pub5", MqttProperties.NO_PROPERTIES)) {
            GatedJournal.failWrites();
            publisher.publish("stored/failing5", "lost qos 1", 1, 1, false);
            publisher.publish("stored/failing5", "lost qos 2", 2, 2, false);

            assertRefused(publisher.receive(), MqttMessageType.PUBACK, 1);
            assertRefused(publisher.receive(), MqttMessageType.PUBREC, 2);
            assertEquals(before + 2, StoredSessions.notStored(broker));

            GatedJournal.reset();
            // A refused QoS 2 flow has ended, so its packet id is free and the message is new [MQTT-4.3.3-4].
            publisher.publish("stored/failing5", "stored", 2, 2, false);
            MqttMessage pubRec = publisher.receive();
            assertEquals(MqttMessageType.PUBREC, pubRec.fixedHeader().messageType());
            assertEquals(0, reasonCode(pubRec));
            publisher.ack(MqttMessageType.PUBREL, 2);
            assertEquals(MqttMessageType.PUBCOMP, publisher.receive().fixedHeader().messageType());
        }
        try (RawClient subscriber = RawClient.connected(broker.port(), "failing-sub5", false)) {
            RawClient.Received only = subscriber.receivePublish();
            assertEquals("stored", only.payload());
            subscriber.ack(MqttMessageType.PUBREC, only.packetId());
            assertEquals(MqttMessageType.PUBREL, subscriber.receive().fixedHeader().messageType());
        }
    }

    /** MQTT 3.1.1 has no negative acknowledgement: the client keeps the message and sends it again. */
    @Test
    void anMqtt311PublisherIsDisconnectedWithoutAcknowledgementAndItsRetryIsStored() throws Exception {
        StoredSessions.goOffline(broker, "failing-sub3", "stored/failing3");
        long before = StoredSessions.notStored(broker);
        try (RawClient publisher = RawClient.connected(broker.port(), "failing-pub3", false)) {
            GatedJournal.failWrites();
            publisher.publish("stored/failing3", "qos 1", 1, 7, false);
            publisher.publish("stored/failing3", "qos 2", 2, 8, false);

            assertNull(publisher.receive(Duration.ofSeconds(10)), "an acknowledgement instead of a closed connection");
            assertTrue(publisher.awaitClosed(Duration.ofSeconds(1)));
            assertTrue(before < StoredSessions.notStored(broker));
        }
        GatedJournal.reset();
        try (RawClient publisher = RawClient.connected(broker.port(), "failing-pub3", false)) {
            // The QoS 2 one is not taken for a duplicate of a message already received: it never was [MQTT-4.3.3-2].
            StoredSessions.publishBothAccepted(publisher, "stored/failing3", "qos 1", "stored/failing3", "qos 2");
        }
        try (RawClient subscriber = RawClient.connected(broker.port(), "failing-sub3", false)) {
            assertEquals("qos 1", subscriber.receivePublish().payload());
            assertEquals("qos 2", subscriber.receivePublish().payload());
        }
    }

    private static void assertRefused(MqttMessage ack, MqttMessageType type, int packetId) {
        assertNotNull(ack, "no " + type);
        assertEquals(type, ack.fixedHeader().messageType());
        assertEquals(packetId, StoredSessions.packetId(ack));
        assertEquals(0x80, reasonCode(ack), "Unspecified error");
        MqttPubReplyMessageVariableHeader header = (MqttPubReplyMessageVariableHeader) ack.variableHeader();
        assertEquals("message not stored",
                header.properties().getProperty(MqttProperties.MqttPropertyType.REASON_STRING.value()).value());
        assertFalse(header.properties().isEmpty());
    }

    private static int reasonCode(MqttMessage message) {
        return message.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply ? reply.reasonCode() & 0xFF : 0;
    }
}
