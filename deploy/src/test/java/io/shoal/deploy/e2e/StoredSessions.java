package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.shoal.node.metrics.Counter;
import io.shoal.persistence.session.SessionEvent;

import java.io.IOException;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the tests of storing before acknowledging share, against a broker on {@link GatedJournal}. */
final class StoredSessions {

    private StoredSessions() {
    }

    /** A persistent session subscribed to {@code filter} at QoS 2, whose client has gone and whose session is stored. */
    static void goOffline(TestBroker broker, String clientId, String filter) throws IOException {
        try (RawClient subscriber = RawClient.connected(broker.port(), clientId, false)) {
            subscriber.subscribe(1, filter, 2);
            subscriber.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE,
                    false, 0)));
            assertTrue(subscriber.awaitClosed(Duration.ofSeconds(5)));
        }
        // Stored once the connection has handed its route to the session.
        await().until(() -> GatedJournal.lastEvent("session|" + clientId) instanceof SessionEvent.SessionSuspended);
    }

    /** Messages the broker did not acknowledge because they could not be stored (failed or timed out). */
    static long notStored(TestBroker broker) {
        return broker.metrics().get(Counter.ACK_STORE_FAILED) + broker.metrics().get(Counter.ACK_STORE_TIMED_OUT);
    }

    /**
     * Publishes {@code qos1Payload} at QoS 1 (packet id 7) to {@code qos1Topic}, then {@code qos2Payload}
     * at QoS 2 (packet id 8) to {@code qos2Topic}, both as retries (DUP), and expects them accepted in
     * that order: PUBACK 7, then PUBREC 8.
     */
    static void publishBothAccepted(RawClient publisher, String qos1Topic, String qos1Payload, String qos2Topic,
                                    String qos2Payload) throws IOException {
        publisher.publish(qos1Topic, qos1Payload, 1, 7, true);
        publisher.publish(qos2Topic, qos2Payload, 2, 8, true);
        MqttMessage pubAck = publisher.receive();
        assertEquals(MqttMessageType.PUBACK, pubAck.fixedHeader().messageType());
        assertEquals(7, packetId(pubAck));
        MqttMessage pubRec = publisher.receive();
        assertEquals(MqttMessageType.PUBREC, pubRec.fixedHeader().messageType());
        assertEquals(8, packetId(pubRec));
    }

    static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }
}
