package io.shoal.persistence.session;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static io.shoal.persistence.session.SessionFixtures.assertDeliveriesEqual;
import static io.shoal.persistence.session.SessionFixtures.assertDeliveryEquals;
import static io.shoal.persistence.session.SessionFixtures.queued;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * Journaled events and snapshots go through Akka serialization exactly as configured by this module's
 * reference.conf: {@code CborSerializable} bound to Jackson CBOR.
 */
class SessionEventSerializationTest {

    private static ActorTestKit testKit;
    private static Serialization serialization;

    @BeforeAll
    static void startActorSystem() {
        testKit = ActorTestKit.create();
        serialization = SerializationExtension.get(testKit.system().classicSystem());
    }

    @AfterAll
    static void stopActorSystem() {
        testKit.shutdownTestKit();
    }

    /** Serializes and deserializes {@code obj} the way the journal does, checking it uses Jackson CBOR. */
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T obj) {
        Serializer serializer = serialization.findSerializerFor(obj);
        assertInstanceOf(JacksonCborSerializer.class, serializer,
                () -> obj.getClass().getName() + " should be serialized with Jackson CBOR");

        byte[] bytes = serialization.serialize(obj).get();
        String manifest = Serializers.manifestFor(serializer, obj);
        Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();

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
        PendingDelivery released = new PendingDelivery(allByteValuesPublication(), 2, true, 65535, true);
        PendingDelivery inFlight = queued("t/1", "in flight", 1).sentAs(1);
        PendingDelivery waiting = PendingDelivery.queued(new Publication("t/2", new byte[0], 2, true), 1, false);
        SessionSuspended event = new SessionSuspended(List.of(released, inFlight, waiting), Set.of(1, 42, 65535));

        SessionSuspended back = roundTrip(event);

        assertDeliveriesEqual(event.pending(), back.pending());
        assertEquals(event.awaitingRelease(), back.awaitingRelease());
    }

    @Test
    void sessionSuspendedWithNothingPending() {
        SessionSuspended back = roundTrip(new SessionSuspended(List.of(), Set.of()));

        assertEquals(List.of(), back.pending());
        assertEquals(Set.of(), back.awaitingRelease());
    }

    @Test
    void sessionSnapshot() {
        SessionSnapshot snapshot = new SessionSnapshot(true,
                List.of(new Subscription("z/#", 1), new Subscription("a/+", 2), new Subscription("m", 0)),
                List.of(new PendingDelivery(allByteValuesPublication(), 2, false, 17, true),
                        queued("a/1", "sent", 1).sentAs(18),
                        PendingDelivery.queued(new Publication("m", new byte[0], 0, false), 0, false)),
                Set.of(3, 4, 5));

        SessionSnapshot back = roundTrip(snapshot);

        assertEquals(snapshot.exists(), back.exists());
        assertEquals(snapshot.subscriptions(), back.subscriptions());
        assertDeliveriesEqual(snapshot.pending(), back.pending());
        assertEquals(snapshot.awaitingRelease(), back.awaitingRelease());
    }

    @Test
    void snapshotOfANonExistingSession() {
        SessionSnapshot back = roundTrip(new SessionSnapshot(false, List.of(), List.of(), Set.of()));

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
}
