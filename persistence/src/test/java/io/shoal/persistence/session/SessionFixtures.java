package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.SessionState;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test data and assertions shared by the session tests. {@link Publication} holds a {@code byte[]}, so
 * its record {@code equals} compares array identity; these assertions compare payload contents.
 */
final class SessionFixtures {

    private SessionFixtures() {
    }

    static Publication publication(String topic, String payload, int qos) {
        return new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    static PendingDelivery queued(String topic, String payload, int qos) {
        return PendingDelivery.queued(publication(topic, payload, qos), qos, false);
    }

    static void assertPublicationEquals(Publication expected, Publication actual) {
        assertEquals(expected.topic(), actual.topic(), "topic");
        assertArrayEquals(expected.payload(), actual.payload(), "payload of " + expected.topic());
        assertEquals(expected.qos(), actual.qos(), "publication qos");
        assertEquals(expected.retain(), actual.retain(), "publication retain");
    }

    static void assertDeliveryEquals(PendingDelivery expected, PendingDelivery actual) {
        assertPublicationEquals(expected.publication(), actual.publication());
        assertEquals(expected.qos(), actual.qos(), "delivery qos");
        assertEquals(expected.retain(), actual.retain(), "delivery retain");
        assertEquals(expected.packetId(), actual.packetId(), "packetId");
        assertEquals(expected.released(), actual.released(), "released");
    }

    static void assertDeliveriesEqual(List<PendingDelivery> expected, List<PendingDelivery> actual) {
        assertEquals(expected.size(), actual.size(), "number of pending deliveries");
        for (int i = 0; i < expected.size(); i++) {
            assertDeliveryEquals(expected.get(i), actual.get(i));
        }
    }

    static void assertStateEquals(SessionState expected, SessionState actual) {
        assertEquals(expected.subscriptions(), actual.subscriptions(), "subscriptions");
        assertDeliveriesEqual(expected.pending(), actual.pending());
        assertEquals(expected.awaitingRelease(), actual.awaitingRelease(), "awaitingRelease");
    }
}
