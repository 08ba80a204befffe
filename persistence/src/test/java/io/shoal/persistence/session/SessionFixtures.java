package io.shoal.persistence.session;

import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.UserProperty;
import io.shoal.node.session.Will;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Test data and assertions shared by the session tests. {@link Publication} and
 * {@link MessageProperties} hold {@code byte[]}s, so their record {@code equals} compares array
 * identity; these assertions compare array contents.
 */
final class SessionFixtures {

    /** Session Expiry Interval 0xFFFFFFFF: the session never expires (MQTT 3.1.1 clean session 0). */
    static final long NEVER = 0xFFFFFFFFL;

    private SessionFixtures() {
    }

    static Publication publication(String topic, String payload, int qos) {
        return new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    static PendingDelivery queued(String topic, String payload, int qos) {
        return PendingDelivery.queued(publication(topic, payload, qos), qos, false);
    }

    /**
     * A message as an MQTT 5 client publishes it, with every message property set: user properties
     * with a repeated name and non-ASCII text, correlation data with every kind of byte.
     */
    static Publication mqtt5Publication(String topic, String payload, int qos, long expiresAtMillis) {
        MessageProperties properties = new MessageProperties(1, expiresAtMillis, "text/plain; charset=utf-8",
                "replies/" + topic, new byte[] {0, 1, (byte) 0x80, (byte) 0xFF, 0x7F},
                List.of(new UserProperty("origin", "sensor-7"), new UserProperty("origin", "again"),
                        new UserProperty("ünï", "😀"), new UserProperty("", "")));
        return new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), qos, true, properties, "publisher-1");
    }

    /** An MQTT 5 will: its message has properties but no expiry, which runs from when it is published. */
    static Will mqtt5Will(String topic, long delaySeconds, long messageExpirySeconds) {
        return new Will(mqtt5Publication(topic, "gone", 1, 0), delaySeconds, messageExpirySeconds);
    }

    /** A suspension at {@code timestampMillis} 1000 of a session that never expires, without a will. */
    static SessionEvent.SessionSuspended suspended(List<PendingDelivery> pending, Set<Integer> awaitingRelease) {
        return new SessionEvent.SessionSuspended(pending, awaitingRelease, 1000L, NEVER, null);
    }

    static void assertPropertiesEqual(MessageProperties expected, MessageProperties actual) {
        assertEquals(expected.payloadFormat(), actual.payloadFormat(), "payloadFormat");
        assertEquals(expected.expiresAtMillis(), actual.expiresAtMillis(), "expiresAtMillis");
        assertEquals(expected.contentType(), actual.contentType(), "contentType");
        assertEquals(expected.responseTopic(), actual.responseTopic(), "responseTopic");
        assertArrayEquals(expected.correlationData(), actual.correlationData(), "correlationData");
        assertEquals(expected.userProperties(), actual.userProperties(), "userProperties");
    }

    static void assertPublicationEquals(Publication expected, Publication actual) {
        assertEquals(expected.topic(), actual.topic(), "topic");
        assertArrayEquals(expected.payload(), actual.payload(), "payload of " + expected.topic());
        assertEquals(expected.qos(), actual.qos(), "publication qos");
        assertEquals(expected.retain(), actual.retain(), "publication retain");
        assertEquals(expected.publisherId(), actual.publisherId(), "publisherId");
        assertPropertiesEqual(expected.properties(), actual.properties());
    }

    static void assertDeliveryEquals(PendingDelivery expected, PendingDelivery actual) {
        assertPublicationEquals(expected.publication(), actual.publication());
        assertEquals(expected.qos(), actual.qos(), "delivery qos");
        assertEquals(expected.retain(), actual.retain(), "delivery retain");
        assertEquals(expected.subscriptionIds(), actual.subscriptionIds(), "subscriptionIds");
        assertEquals(expected.shareGroup(), actual.shareGroup(), "shareGroup");
        assertEquals(expected.packetId(), actual.packetId(), "packetId");
        assertEquals(expected.released(), actual.released(), "released");
    }

    static void assertDeliveriesEqual(List<PendingDelivery> expected, List<PendingDelivery> actual) {
        assertEquals(expected.size(), actual.size(), "number of pending deliveries");
        for (int i = 0; i < expected.size(); i++) {
            assertDeliveryEquals(expected.get(i), actual.get(i));
        }
    }

    static void assertWillEquals(Will expected, Will actual) {
        if (expected == null) {
            assertNull(actual, "will");
            return;
        }
        assertNotNull(actual, "will");
        assertPublicationEquals(expected.message(), actual.message());
        assertEquals(expected.delaySeconds(), actual.delaySeconds(), "will delay");
        assertEquals(expected.messageExpirySeconds(), actual.messageExpirySeconds(), "will message expiry");
    }

    static void assertStateEquals(SessionState expected, SessionState actual) {
        assertEquals(expected.subscriptions(), actual.subscriptions(), "subscriptions");
        assertDeliveriesEqual(expected.pending(), actual.pending());
        assertEquals(expected.awaitingRelease(), actual.awaitingRelease(), "awaitingRelease");
    }

    /** Everything a snapshot holds, byte arrays by content. */
    static void assertSnapshotEquals(SessionSnapshot expected, SessionSnapshot actual) {
        assertEquals(expected.exists(), actual.exists(), "exists");
        assertEquals(expected.subscriptions(), actual.subscriptions(), "subscriptions");
        assertDeliveriesEqual(expected.pending(), actual.pending());
        assertEquals(expected.awaitingRelease(), actual.awaitingRelease(), "awaitingRelease");
        assertEquals(expected.expiresAtMillis(), actual.expiresAtMillis(), "expiresAtMillis");
        assertWillEquals(expected.delayedWill(), actual.delayedWill());
        assertEquals(expected.willAtMillis(), actual.willAtMillis(), "willAtMillis");
        assertEquals(expected.routedBy(), actual.routedBy(), "routedBy");
        assertWillEquals(expected.attachedWill(), actual.attachedWill());
        assertEquals(expected.attachedExpirySeconds(), actual.attachedExpirySeconds(), "attachedExpirySeconds");
        assertEquals(expected.attachedGateway(), actual.attachedGateway(), "attachedGateway");
        assertEquals(expected.attachedConnectionId(), actual.attachedConnectionId(), "attachedConnectionId");
    }
}
