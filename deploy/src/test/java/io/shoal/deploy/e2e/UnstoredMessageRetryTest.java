package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttMessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An MQTT 3.1.1 publisher whose message could not be stored is disconnected without its
 * acknowledgement, and sends it again with those behind it: the connection closes only once nothing
 * it routed can still be stored, so that its retries cannot race with the first attempts. The
 * broker's journal is a {@link GatedJournal}; its request timeout is long, so that a store the test
 * holds back is still pending when the test looks, however slow the machine.
 */
class UnstoredMessageRetryTest {

    private static final Duration NO_ACK_WITHIN = Duration.ofMillis(300);

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_SESSION_REQUEST_TIMEOUT", "60s"),
            GatedJournal.CONFIG);

    @AfterEach
    void journalWorksAgain() {
        GatedJournal.reset();
    }

    /**
     * The message behind the refused one goes to another session, which stores it while the
     * connection waits. The client sends it again too; a QoS 2 message already received, it is
     * acknowledged without reaching its subscriber a second time.
     */
    @Test
    void theConnectionClosesOnceTheMessagesBehindTheRefusedOneHaveSettled() throws Exception {
        StoredSessions.goOffline(broker, "settling-sub-a", "stored/settling-a");
        StoredSessions.goOffline(broker, "settling-sub-b", "stored/settling-b");
        long before = StoredSessions.notStored(broker);
        try (RawClient publisher = RawClient.connected(broker.port(), "settling-pub", false)) {
            // Both messages are on their way to being stored before the first fails.
            GatedJournal.holdWritesFor("session|settling-sub-a", "session|settling-sub-b");
            publisher.publish("stored/settling-a", "refused", 1, 7, false);
            publisher.publish("stored/settling-b", "behind it", 2, 8, false);
            await().until(() -> GatedJournal.heldWrites() >= 2);
            GatedJournal.failWritesFor("session|settling-sub-a");
            await().until(() -> StoredSessions.notStored(broker) > before);

            assertNull(publisher.receive(NO_ACK_WITHIN), "an acknowledgement instead of a closed connection");
            assertFalse(publisher.awaitClosed(Duration.ofMillis(50)),
                    "closed while a message behind the refused one could still be stored");
            GatedJournal.reset();
            assertTrue(publisher.awaitClosed(Duration.ofSeconds(5)));
        }
        try (RawClient publisher = RawClient.connected(broker.port(), "settling-pub", false)) {
            StoredSessions.publishBothAccepted(publisher, "stored/settling-a", "refused", "stored/settling-b", "behind it");
            publisher.ack(MqttMessageType.PUBREL, 8);
            assertEquals(MqttMessageType.PUBCOMP, publisher.receive().fixedHeader().messageType());
        }
        try (RawClient subscriber = RawClient.connected(broker.port(), "settling-sub-a", false)) {
            RawClient.Received retried = subscriber.receivePublish();
            assertEquals("refused", retried.payload());
            subscriber.ack(MqttMessageType.PUBACK, retried.packetId());
        }
        try (RawClient subscriber = RawClient.connected(broker.port(), "settling-sub-b", false)) {
            RawClient.Received once = subscriber.receivePublish();
            assertEquals("behind it", once.payload());
            subscriber.ack(MqttMessageType.PUBREC, once.packetId());
            assertEquals(MqttMessageType.PUBREL, subscriber.receive().fixedHeader().messageType());
            assertNull(subscriber.receive(NO_ACK_WITHIN), "the QoS 2 message forwarded twice");
        }
    }
}
