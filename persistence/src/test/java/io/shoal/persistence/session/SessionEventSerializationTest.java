package io.shoal.persistence.session;

import akka.serialization.Serialization;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.AkkaSerialization;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionResumed;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import io.shoal.persistence.session.SessionEvent.WillPublished;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static io.shoal.persistence.session.SessionFixtures.assertDeliveriesEqual;
import static io.shoal.persistence.session.SessionFixtures.assertDeliveryEquals;
import static io.shoal.persistence.session.SessionFixtures.NEVER;
import static io.shoal.persistence.session.SessionFixtures.assertPropertiesEqual;
import static io.shoal.persistence.session.SessionFixtures.assertSnapshotEquals;
import static io.shoal.persistence.session.SessionFixtures.assertWillEquals;
import static io.shoal.persistence.session.SessionFixtures.mqtt5Publication;
import static io.shoal.persistence.session.SessionFixtures.mqtt5Will;
import static io.shoal.persistence.session.SessionFixtures.queued;
import static io.shoal.persistence.session.SessionFixtures.suspended;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Journaled events and snapshots go through Akka serialization exactly as configured by this module's
 * reference.conf: {@code CborSerializable} bound to Jackson CBOR.
 */
class SessionEventSerializationTest {

    @RegisterExtension
    static final AkkaSerialization akka = new AkkaSerialization();

    /** Serializes and deserializes {@code obj} the way the journal does, checking it uses Jackson CBOR. */
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T obj) {
        Serializer serializer = akka.serialization().findSerializerFor(obj);
        assertInstanceOf(JacksonCborSerializer.class, serializer,
                () -> obj.getClass().getName() + " should be serialized with Jackson CBOR");

        byte[] bytes = akka.serialization().serialize(obj).get();
        String manifest = Serializers.manifestFor(serializer, obj);
        Object back = akka.serialization().deserialize(bytes, serializer.identifier(), manifest).get();

        assertInstanceOf(obj.getClass(), back);
        assertNotSame(obj, back);
        return (T) back;
    }

    private static Publication allByteValuesPublication() {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        return new Publication("capteurs/température/größe/温度/😀", payload, 2, true);
    }

    @Test
    void sessionOpened() {
        SessionOpened event = new SessionOpened(1_700_000_000_123L);

        assertEquals(event.timestampMillis(), roundTrip(event).timestampMillis());
    }

    @Test
    void sessionCleared() {
        SessionCleared event = new SessionCleared(Long.MAX_VALUE);

        assertEquals(event.timestampMillis(), roundTrip(event).timestampMillis());
    }

    @Test
    void subscribed() {
        Subscribed event = new Subscribed(List.of(new Subscription("a/+/c", 0), new Subscription("#", 1),
                new Subscription("ünï/ĉödé", 2)));

        Subscribed back = roundTrip(event);

        assertEquals(event.subscriptions(), back.subscriptions());
    }

    @Test
    void subscribedWithNoSubscriptions() {
        assertEquals(List.of(), roundTrip(new Subscribed(List.of())).subscriptions());
    }

    @Test
    void unsubscribed() {
        Unsubscribed event = new Unsubscribed(List.of("a/b", "+/x/#", "日本"));

        assertEquals(event.filters(), roundTrip(event).filters());
    }

    @Test
    void messageQueued() {
        MessageQueued event = new MessageQueued(queued("sensors/1", "21.5", 1));

        assertDeliveryEquals(event.delivery(), roundTrip(event).delivery());
    }

    @Test
    void messageQueuedWithAnEmptyPayload() {
        MessageQueued event = new MessageQueued(
                PendingDelivery.queued(new Publication("empty", new byte[0], 0, false), 0, false));

        MessageQueued back = roundTrip(event);

        assertDeliveryEquals(event.delivery(), back.delivery());
        assertEquals(0, back.delivery().publication().payload().length);
    }

    @Test
    void messageQueuedWithANonAsciiTopicAndEveryByteValue() {
        MessageQueued event = new MessageQueued(PendingDelivery.queued(allByteValuesPublication(), 1, true));

        MessageQueued back = roundTrip(event);

        assertDeliveryEquals(event.delivery(), back.delivery());
        assertEquals("capteurs/température/größe/温度/😀", back.delivery().publication().topic());
        assertEquals(256, back.delivery().publication().payload().length);
    }

    @Test
    void sessionSuspended() {
        PendingDelivery released = new PendingDelivery(allByteValuesPublication(), 2, true, List.of(), null, 65535,
                true);
        PendingDelivery inFlight = queued("t/1", "in flight", 1).sentAs(1);
        PendingDelivery waiting = PendingDelivery.queued(new Publication("t/2", new byte[0], 2, true), 1, false);
        SessionSuspended event = new SessionSuspended(List.of(released, inFlight, waiting), Set.of(1, 42, 65535),
                1_700_000_000_123L, NEVER, null);

        SessionSuspended back = roundTrip(event);

        assertDeliveriesEqual(event.pending(), back.pending());
        assertEquals(event.awaitingRelease(), back.awaitingRelease());
        assertEquals(event.timestampMillis(), back.timestampMillis());
        assertEquals(NEVER, back.expirySeconds());
        assertNull(back.delayedWill());
    }

    @Test
    void sessionSuspendedWithNothingPending() {
        SessionSuspended back = roundTrip(suspended(List.of(), Set.of()));

        assertEquals(List.of(), back.pending());
        assertEquals(Set.of(), back.awaitingRelease());
    }

    @Test
    void sessionSnapshot() {
        SessionSnapshot snapshot = new SessionSnapshot(true,
                List.of(new Subscription("z/#", 1), new Subscription("a/+", 2), new Subscription("m", 0)),
                List.of(new PendingDelivery(allByteValuesPublication(), 2, false, List.of(), null, 17, true),
                        queued("a/1", "sent", 1).sentAs(18),
                        PendingDelivery.queued(new Publication("m", new byte[0], 0, false), 0, false)),
                Set.of(3, 4, 5), Long.MAX_VALUE, null, 0L, "akka://shoal@127.0.0.1:25520#42",
                mqtt5Will("status", 5, 60), 3600L, "akka://shoal@127.0.0.1:25520/system/node-gateway#7", 12L);

        SessionSnapshot back = roundTrip(snapshot);

        assertSnapshotEquals(snapshot, back);
    }

    @Test
    void snapshotOfANonExistingSession() {
        SessionSnapshot back = roundTrip(new SessionSnapshot(false, List.of(), List.of(), Set.of(), Long.MAX_VALUE,
                null, 0L, null, null, null, null, 0L));

        assertFalse(back.exists());
        assertEquals(List.of(), back.subscriptions());
        assertEquals(List.of(), back.pending());
        assertEquals(Set.of(), back.awaitingRelease());
    }

    @Test
    void aSnapshotTakenFromSessionDataRestoresTheSameSessionData() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1), new Subscription("b", 2))))
                .apply(new MessageQueued(PendingDelivery.queued(allByteValuesPublication(), 2, false)))
                .apply(new MessageQueued(queued("a", "text", 1)));

        SessionData restored = SessionData.fromSnapshot(roundTrip(data.toSnapshot()));

        assertEquals(data.exists(), restored.exists());
        SessionFixtures.assertStateEquals(data.toState(), restored.toState());
    }

    @Test
    void payloadBytesAreCarriedAsIs() {
        byte[] payload = "ĉ\u0000\uFFFF".getBytes(StandardCharsets.UTF_8);
        MessageQueued event = new MessageQueued(
                PendingDelivery.queued(new Publication("t", payload, 1, false), 1, false));

        assertArrayEquals(payload, roundTrip(event).delivery().publication().payload());
    }

    // ---------------------------------------------------------------------------------------------
    // Session expiry, delayed wills and MQTT 5 fields

    @Test
    void sessionResumed() {
        SessionResumed event = new SessionResumed(1_700_000_000_456L);

        assertEquals(event.timestampMillis(), roundTrip(event).timestampMillis());
    }

    @Test
    void willPublished() {
        WillPublished event = new WillPublished(1_700_000_000_789L);

        assertEquals(event.timestampMillis(), roundTrip(event).timestampMillis());
    }

    @Test
    void sessionSuspendedWithAFiniteExpiryAndADelayedWill() {
        Will will = mqtt5Will("clients/7/status", 30, 3600);
        SessionSuspended event = new SessionSuspended(List.of(queued("t", "x", 1).sentAs(4)), Set.of(2),
                1_700_000_000_000L, 120, will);

        SessionSuspended back = roundTrip(event);

        assertDeliveriesEqual(event.pending(), back.pending());
        assertEquals(Set.of(2), back.awaitingRelease());
        assertEquals(1_700_000_000_000L, back.timestampMillis());
        assertEquals(120, back.expirySeconds());
        assertWillEquals(will, back.delayedWill());
    }

    @Test
    void sessionSuspendedWithTheLargestFiniteExpiry() {
        SessionSuspended back = roundTrip(new SessionSuspended(List.of(), Set.of(), 1L, NEVER - 1,
                new Will(SessionFixtures.publication("w", "", 0))));

        assertEquals(NEVER - 1, back.expirySeconds());
        assertEquals(0, back.delayedWill().delaySeconds());
        assertEquals(0, back.delayedWill().messageExpirySeconds());
        assertEquals(MessageProperties.NONE, back.delayedWill().message().properties());
    }

    @Test
    void subscribedWithMqtt5Options() {
        Subscribed event = new Subscribed(List.of(
                new Subscription("a/#", 2, true, true, 2, 268_435_455, null),
                new Subscription("a/#", 1, false, true, 1, 1, "group-1"),
                new Subscription("b/+", 0, true, false, 0, 0, "ĝrüpö")));

        Subscribed back = roundTrip(event);

        assertEquals(event.subscriptions(), back.subscriptions());
        assertEquals(List.of("a/#", "$share/group-1/a/#", "$share/ĝrüpö/b/+"),
                back.subscriptions().stream().map(Subscription::key).toList());
    }

    @Test
    void messageQueuedWithMqtt5PropertiesSubscriptionIdsAndShareGroup() {
        PendingDelivery delivery = PendingDelivery.queued(mqtt5Publication("sensors/1", "21.5", 2, 1_700_000_060_000L),
                1, true, List.of(1, 42, 268_435_455), "group/sensors/#");
        MessageQueued event = new MessageQueued(delivery);

        MessageQueued back = roundTrip(event);

        assertDeliveryEquals(delivery, back.delivery());
        MessageProperties properties = back.delivery().publication().properties();
        assertEquals(1, properties.payloadFormat());
        assertEquals(1_700_000_060_000L, properties.expiresAtMillis());
        assertEquals("text/plain; charset=utf-8", properties.contentType());
        assertEquals("replies/sensors/1", properties.responseTopic());
        assertArrayEquals(new byte[] {0, 1, (byte) 0x80, (byte) 0xFF, 0x7F}, properties.correlationData());
        assertEquals(delivery.publication().properties().userProperties(), properties.userProperties());
        assertEquals("publisher-1", back.delivery().publication().publisherId());
        assertEquals(List.of(1, 42, 268_435_455), back.delivery().subscriptionIds());
        assertEquals("group/sensors/#", back.delivery().shareGroup());
    }

    @Test
    void anInFlightReleasedMqtt5DeliveryKeepsItsState() {
        PendingDelivery delivery = PendingDelivery.queued(mqtt5Publication("t", "p", 2, 0), 2, false, List.of(5), null)
                .sentAs(300).asReleased();

        PendingDelivery back = roundTrip(new MessageQueued(delivery)).delivery();

        assertDeliveryEquals(delivery, back);
        assertEquals(300, back.packetId());
    }

    @Test
    void messagePropertiesLeftOutStayLeftOut() {
        MessageProperties sparse = new MessageProperties(null, 0, null, null, null, List.of());
        MessageQueued event = new MessageQueued(PendingDelivery.queued(
                new Publication("t", new byte[] {1}, 1, false, sparse, null), 1, false));

        MessageProperties back = roundTrip(event).delivery().publication().properties();

        assertNull(back.payloadFormat(), "no payload format indicator is not 0");
        assertNull(back.correlationData(), "no correlation data is not empty correlation data");
        assertNull(back.contentType());
        assertNull(back.responseTopic());
        assertEquals(List.of(), back.userProperties());
        assertEquals(MessageProperties.NONE, back);
        assertNull(roundTrip(event).delivery().publication().publisherId());
    }

    @Test
    void emptyCorrelationDataAndPayloadFormatZeroAreKept() {
        MessageProperties properties = new MessageProperties(0, 0, "", "r", new byte[0], List.of());
        MessageQueued event = new MessageQueued(PendingDelivery.queued(
                new Publication("t", new byte[0], 1, false, properties, "p"), 1, false));

        MessageProperties back = roundTrip(event).delivery().publication().properties();

        assertPropertiesEqual(properties, back);
        assertEquals(0, back.payloadFormat());
        assertArrayEquals(new byte[0], back.correlationData());
    }

    @Test
    void snapshotWithAnExpiryAndADelayedWill() {
        SessionSnapshot snapshot = new SessionSnapshot(true,
                List.of(new Subscription("a", 1, true, true, 2, 9, null), new Subscription("a", 0, false, false, 0, 0, "g")),
                List.of(PendingDelivery.queued(mqtt5Publication("a", "x", 1, 1_700_000_999_000L), 1, false,
                        List.of(9), null)),
                Set.of(1), 1_700_000_120_000L, mqtt5Will("status", 30, 60), 1_700_000_030_000L, null, null, null,
                null, 0L);

        assertSnapshotEquals(snapshot, roundTrip(snapshot));
    }

    @Test
    void aSnapshotOfAnOfflineMqtt5SessionRestoresTheSameSessionData() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a/+", 1, true, false, 1, 3, null),
                        new Subscription("a/+", 2, false, false, 0, 0, "g"))))
                .apply(new SessionSuspended(List.of(), Set.of(), 10_000L, 60, mqtt5Will("status", 10, 0)))
                .apply(new MessageQueued(PendingDelivery.queued(mqtt5Publication("a/1", "x", 2, 99_000L), 2, false,
                        List.of(3), null)));

        SessionData restored = SessionData.fromSnapshot(roundTrip(data.toSnapshot()));

        assertSnapshotEquals(data.toSnapshot(), restored.toSnapshot());
        assertEquals(70_000L, restored.expiresAtMillis());
        assertEquals(20_000L, restored.willAtMillis());
    }
}
