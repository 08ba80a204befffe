package io.shoal.deploy.e2e.cassandra;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * On Cassandra, a publisher's PUBACK means its message is safe for every persistent session it went
 * to, online ones included: acknowledged by the client, or journaled once the client has been slow
 * for journal-unacknowledged-after. Messages for clean sessions are not waited for.
 */
class OnlineDeliverySafetyTest {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    private static final Duration JOURNAL_AFTER = Duration.ofSeconds(2);
    /** Well within JOURNAL_AFTER: a PUBACK seen by then did not wait for the journal. */
    private static final Duration NOT_YET = Duration.ofMillis(500);

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(CassandraBroker.env(cassandra,
                Map.of("SHOAL_SESSION_JOURNAL_UNACKNOWLEDGED_AFTER", JOURNAL_AFTER.toMillis() + "ms")));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static RawClient subscriber(String clientId, boolean cleanSession, String filter) throws Exception {
        RawClient client = RawClient.connected(broker.port(), clientId, cleanSession);
        client.subscribe(1, filter, 1);
        return client;
    }

    private static int pubAckId(MqttMessage message) {
        assertNotNull(message, "no PUBACK");
        assertEquals(MqttMessageType.PUBACK, message.fixedHeader().messageType());
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    @Test
    void thePublisherIsAcknowledgedOnceTheOnlinePersistentSubscriberHasAcknowledged() throws Exception {
        try (RawClient device = subscriber("safe-device", false, "safe/cmd");
             RawClient publisher = RawClient.connected(broker.port(), "safe-publisher", true)) {
            publisher.publish("safe/cmd", "reboot", 1, 7, false);
            RawClient.Received received = device.receivePublish();

            assertNull(publisher.receive(NOT_YET), "acknowledged while the message was only in memory");
            device.ack(MqttMessageType.PUBACK, received.packetId());
            assertEquals(7, pubAckId(publisher.receive()));
        }
    }

    @Test
    void aMessageTheSubscriberIsSlowToAcknowledgeIsJournaledAndThenItsPublisherIsAcknowledged() throws Exception {
        long journaledBefore = broker.metrics().get(Counter.MESSAGES_JOURNALED_UNACKNOWLEDGED);
        try (RawClient slow = subscriber("slow-device", false, "slow/cmd");
             RawClient publisher = RawClient.connected(broker.port(), "slow-publisher", true)) {
            publisher.publish("slow/cmd", "update", 1, 9, false);
            slow.receivePublish(); // and never acknowledged

            assertNull(publisher.receive(NOT_YET));
            assertEquals(9, pubAckId(publisher.receive(JOURNAL_AFTER.multipliedBy(3))));
            assertEquals(journaledBefore + 1, broker.metrics().get(Counter.MESSAGES_JOURNALED_UNACKNOWLEDGED));
        }
    }

    @Test
    void messagesForCleanSessionsAreNotWaitedFor() throws Exception {
        try (RawClient transientDevice = subscriber("clean-device", true, "clean/cmd");
             RawClient publisher = RawClient.connected(broker.port(), "clean-publisher", true)) {
            publisher.publish("clean/cmd", "ping", 1, 3, false);
            transientDevice.receivePublish(); // never acknowledged: nothing survives a clean session anyway

            assertEquals(3, pubAckId(publisher.receive(NOT_YET)));
        }
    }
}
