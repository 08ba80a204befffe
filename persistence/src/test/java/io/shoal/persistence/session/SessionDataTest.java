package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionResumed;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import io.shoal.persistence.session.SessionEvent.WillPublished;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.shoal.persistence.session.SessionFixtures.assertDeliveriesEqual;
import static io.shoal.persistence.session.SessionFixtures.NEVER;
import static io.shoal.persistence.session.SessionFixtures.assertSnapshotEquals;
import static io.shoal.persistence.session.SessionFixtures.assertStateEquals;
import static io.shoal.persistence.session.SessionFixtures.assertWillEquals;
import static io.shoal.persistence.session.SessionFixtures.mqtt5Will;
import static io.shoal.persistence.session.SessionFixtures.queued;
import static io.shoal.persistence.session.SessionFixtures.suspended;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionDataTest {

    /** What a session that never existed (or was cleared before any delayed will) snapshots as. */
    private static final SessionSnapshot EMPTY_SNAPSHOT =
            new SessionSnapshot(false, List.of(), List.of(), Set.of(), Long.MAX_VALUE, null, 0L, null, null, null,
                    null, 0L);

    @Test
    void newSessionDataIsEmptyAndDoesNotExist() {
        SessionData data = new SessionData();

        assertFalse(data.exists());
        assertEquals(0, data.pendingCount());
        assertStateEquals(SessionState.EMPTY, data.toState());
        assertEquals(EMPTY_SNAPSHOT, data.toSnapshot());
    }

    @Test
    void applyReturnsTheSameInstance() {
        SessionData data = new SessionData();

        assertSame(data, data.apply(new SessionOpened(1L)));
    }

    @Test
    void anAttachedConnectionIsRememberedWithItsWillAndExpiryUntilItDetachesAndItsNodeRoutesForTheSession() {
        Will will = mqtt5Will("status", 5, 60);
        SessionData data = new SessionData().apply(new SessionOpened(1L))
                .apply(new SessionEvent.Attached("node-a#1", will, 3600, "gateway-a", 7));

        assertEquals("node-a#1", data.routedBy());
        assertEquals(3600L, data.attachedExpirySeconds());
        assertWillEquals(will, data.attachedWill());
        assertEquals("gateway-a", data.attachedGateway());
        assertEquals(7, data.attachedConnectionId());
        SessionData recovered = SessionData.fromSnapshot(data.toSnapshot());
        assertEquals(3600L, recovered.attachedExpirySeconds(), "kept through a snapshot");
        assertEquals("gateway-a", recovered.attachedGateway());
        assertEquals(7, recovered.attachedConnectionId());

        data.apply(suspended(List.of(), Set.of()));
        assertNull(data.attachedExpirySeconds(), "detached");
        assertNull(data.attachedWill());
        assertNull(data.attachedGateway());
        assertEquals(0, data.attachedConnectionId());
        assertEquals("node-a#1", data.routedBy(), "still routes for it while offline");

        data.apply(new SessionEvent.RoutedBy("node-b#2"));
        assertEquals("node-b#2", data.routedBy(), "taken over");
        data.apply(new SessionCleared(9L));
        assertNull(data.routedBy());
    }

    @Test
    void sessionOpenedMakesTheSessionExist() {
        SessionData data = new SessionData().apply(new SessionOpened(1L));

        assertTrue(data.exists());
        assertTrue(data.toSnapshot().exists());
    }

    @Test
    void subscribedAddsSubscriptionsInOrder() {
        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("a/b", 1), new Subscription("c/#", 0))))
                .apply(new Subscribed(List.of(new Subscription("d/+", 2))));

        assertEquals(List.of(new Subscription("a/b", 1), new Subscription("c/#", 0), new Subscription("d/+", 2)),
                data.toState().subscriptions());
    }

    @Test
    void subscribingAgainToAFilterReplacesItsQosAndKeepsItsPosition() {
        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("a", 0), new Subscription("b", 0),
                        new Subscription("c", 0))))
                .apply(new Subscribed(List.of(new Subscription("a", 2))));

        assertEquals(List.of(new Subscription("a", 2), new Subscription("b", 0), new Subscription("c", 0)),
                data.toState().subscriptions());
    }

    @Test
    void theSameFilterTwiceInOneEventKeepsTheLastQos() {
        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("a", 1), new Subscription("b", 0),
                        new Subscription("a", 2))));

        assertEquals(List.of(new Subscription("a", 2), new Subscription("b", 0)), data.toState().subscriptions());
    }

    @Test
    void unsubscribedRemovesOnlyTheGivenFilters() {
        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("a", 0), new Subscription("b", 1),
                        new Subscription("c", 2))))
                .apply(new Unsubscribed(List.of("a", "c", "not/subscribed")));

        assertEquals(List.of(new Subscription("b", 1)), data.toState().subscriptions());
    }

    @Test
    void aFilterSubscribedAgainAfterUnsubscribingGoesToTheEnd() {
        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("a", 0), new Subscription("b", 0))))
                .apply(new Unsubscribed(List.of("a")))
                .apply(new Subscribed(List.of(new Subscription("a", 1))));

        assertEquals(List.of(new Subscription("b", 0), new Subscription("a", 1)), data.toState().subscriptions());
    }

    @Test
    void messageQueuedAppendsInOrder() {
        PendingDelivery first = queued("t/1", "one", 1);
        PendingDelivery second = queued("t/2", "two", 2);
        PendingDelivery third = queued("t/1", "three", 0);

        SessionData data = new SessionData()
                .apply(new MessageQueued(first))
                .apply(new MessageQueued(second))
                .apply(new MessageQueued(third));

        assertEquals(3, data.pendingCount());
        assertDeliveriesEqual(List.of(first, second, third), data.toState().pending());
    }

    @Test
    void sessionSuspendedReplacesPendingAndAwaitingRelease() {
        PendingDelivery inFlight = queued("t", "in flight", 2).sentAs(7).asReleased();
        PendingDelivery stillQueued = queued("t", "queued", 1);

        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(new Subscription("t", 2))))
                .apply(new MessageQueued(queued("t", "delivered meanwhile", 1)))
                .apply(suspended(List.of(queued("t", "old", 1)), Set.of(1, 2)))
                .apply(suspended(List.of(inFlight, stillQueued), Set.of(3)));

        SessionState state = data.toState();
        assertDeliveriesEqual(List.of(inFlight, stillQueued), state.pending());
        assertEquals(Set.of(3), state.awaitingRelease());
        assertEquals(List.of(new Subscription("t", 2)), state.subscriptions(), "subscriptions are untouched");
    }

    @Test
    void sessionSuspendedWithNothingPendingEmptiesTheQueue() {
        SessionData data = new SessionData()
                .apply(new MessageQueued(queued("t", "x", 1)))
                .apply(suspended(List.of(queued("t", "y", 1)), Set.of(5)))
                .apply(suspended(List.of(), Set.of()));

        assertEquals(0, data.pendingCount());
        assertEquals(Set.of(), data.toState().awaitingRelease());
    }

    @Test
    void messagesQueuedAfterSuspensionFollowTheSuspendedOnes() {
        PendingDelivery inFlight = queued("t", "in flight", 1).sentAs(3);
        PendingDelivery later = queued("t", "later", 1);

        SessionData data = new SessionData()
                .apply(suspended(List.of(inFlight), Set.of()))
                .apply(new MessageQueued(later));

        assertDeliveriesEqual(List.of(inFlight, later), data.toState().pending());
    }

    @Test
    void sessionClearedDiscardsEverything() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1))))
                .apply(new MessageQueued(queued("a", "x", 1)))
                .apply(suspended(List.of(queued("a", "y", 1)), Set.of(9)))
                .apply(new SessionCleared(2L));

        assertFalse(data.exists());
        assertEquals(0, data.pendingCount());
        assertStateEquals(SessionState.EMPTY, data.toState());
        assertEquals(EMPTY_SNAPSHOT, data.toSnapshot());
    }

    @Test
    void aSessionCanBeOpenedAgainAfterBeingCleared() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionCleared(2L))
                .apply(new SessionOpened(3L));

        assertTrue(data.exists());
    }

    @Test
    void toStateIsACopyThatLaterEventsDoNotChange() {
        PendingDelivery first = queued("t", "first", 1);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1))))
                .apply(new MessageQueued(first))
                .apply(suspended(List.of(first), Set.of(4)));

        SessionState before = data.toState();

        data.apply(new Subscribed(List.of(new Subscription("a", 2), new Subscription("b", 0))))
                .apply(new MessageQueued(queued("t", "second", 1)))
                .apply(suspended(List.of(), Set.of(5, 6)));

        assertEquals(List.of(new Subscription("a", 1)), before.subscriptions());
        assertDeliveriesEqual(List.of(first), before.pending());
        assertEquals(Set.of(4), before.awaitingRelease());

        data.apply(new SessionCleared(2L));

        assertEquals(List.of(new Subscription("a", 1)), before.subscriptions());
        assertDeliveriesEqual(List.of(first), before.pending());
        assertEquals(Set.of(4), before.awaitingRelease());
    }

    @Test
    void toSnapshotIsACopyThatLaterEventsDoNotChange() {
        PendingDelivery first = queued("t", "first", 1);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1))))
                .apply(suspended(List.of(first), Set.of(4)));

        SessionSnapshot before = data.toSnapshot();

        data.apply(new Subscribed(List.of(new Subscription("a", 2), new Subscription("b", 0))))
                .apply(new MessageQueued(queued("t", "second", 1)))
                .apply(suspended(List.of(), Set.of(5)))
                .apply(new SessionCleared(2L));

        assertTrue(before.exists());
        assertEquals(List.of(new Subscription("a", 1)), before.subscriptions());
        assertDeliveriesEqual(List.of(first), before.pending());
        assertEquals(Set.of(4), before.awaitingRelease());
    }

    @Test
    void fromSnapshotOfToSnapshotRestoresTheSameState() {
        SessionData original = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("z/#", 1), new Subscription("a/+", 2),
                        new Subscription("m", 0))))
                .apply(suspended(List.of(queued("z/1", "in flight", 2).sentAs(11).asReleased(),
                        queued("a/1", "sent", 1).sentAs(12)), Set.of(1, 65535)))
                .apply(new MessageQueued(queued("m", "queued", 0)));

        SessionData restored = SessionData.fromSnapshot(original.toSnapshot());

        assertEquals(original.exists(), restored.exists());
        assertEquals(original.pendingCount(), restored.pendingCount());
        assertStateEquals(original.toState(), restored.toState());
    }

    @Test
    void aRestoredSessionKeepsApplyingEventsLikeTheOriginal() {
        SessionData original = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 0), new Subscription("b", 0))))
                .apply(new MessageQueued(queued("a", "one", 1)));
        SessionData restored = SessionData.fromSnapshot(original.toSnapshot());

        List<SessionEvent> more = List.of(
                new Subscribed(List.of(new Subscription("a", 2), new Subscription("c", 1))),
                new Unsubscribed(List.of("b")),
                new MessageQueued(queued("c", "two", 1)));
        more.forEach(original::apply);
        more.forEach(restored::apply);

        assertStateEquals(original.toState(), restored.toState());
        assertEquals(List.of(new Subscription("a", 2), new Subscription("c", 1)), restored.toState().subscriptions());
    }

    @Test
    void fromSnapshotOfANonExistingSessionDoesNotExist() {
        SessionData restored = SessionData.fromSnapshot(new SessionData().toSnapshot());

        assertFalse(restored.exists());
        assertStateEquals(SessionState.EMPTY, restored.toState());
    }

    @Test
    void restoredDataIsIndependentOfTheSnapshot() {
        SessionSnapshot snapshot = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1))))
                .apply(new MessageQueued(queued("a", "x", 1)))
                .toSnapshot();

        SessionData.fromSnapshot(snapshot)
                .apply(new Subscribed(List.of(new Subscription("b", 1))))
                .apply(new MessageQueued(queued("b", "y", 1)))
                .apply(new SessionCleared(2L));

        assertTrue(snapshot.exists());
        assertEquals(List.of(new Subscription("a", 1)), snapshot.subscriptions());
        assertEquals(1, snapshot.pending().size());
    }

    // ---------------------------------------------------------------------------------------------
    // MQTT 5: subscriptions with options, keyed by the filter as the client wrote it

    @Test
    void aSharedSubscriptionAndAPlainOneToTheSameFilterAreDistinct() {
        Subscription plain = new Subscription("a/#", 1);
        Subscription shared = new Subscription("a/#", 2, false, false, 0, 0, "group");
        Subscription otherGroup = new Subscription("a/#", 0, false, false, 0, 0, "other");

        SessionData data = new SessionData().apply(new Subscribed(List.of(plain, shared, otherGroup)));
        assertEquals(List.of(plain, shared, otherGroup), data.toState().subscriptions());

        data.apply(new Unsubscribed(List.of("$share/group/a/#")));
        assertEquals(List.of(plain, otherGroup), data.toState().subscriptions());

        data.apply(new Unsubscribed(List.of("a/#")));
        assertEquals(List.of(otherGroup), data.toState().subscriptions());
    }

    @Test
    void subscribingAgainWithOtherOptionsReplacesTheSubscriptionInPlace() {
        Subscription first = new Subscription("t", 1, false, false, 0, 0, null);
        Subscription second = new Subscription("u", 1);
        Subscription replacement = new Subscription("t", 2, true, true, 2, 268_435_455, null);

        SessionData data = new SessionData()
                .apply(new Subscribed(List.of(first, second)))
                .apply(new Subscribed(List.of(replacement)));

        assertEquals(List.of(replacement, second), data.toState().subscriptions());
    }

    // ---------------------------------------------------------------------------------------------
    // Session expiry and delayed wills

    @Test
    void anOnlineOrNewSessionHasNoExpiryAndNoDelayedWill() {
        SessionData data = new SessionData().apply(new SessionOpened(1L));

        assertEquals(Long.MAX_VALUE, data.expiresAtMillis());
        assertFalse(data.expired(Long.MAX_VALUE - 1));
        assertNull(data.delayedWill());
    }

    @Test
    void sessionSuspendedWithAFiniteExpiryExpiresThatManySecondsAfterItsTimestamp() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, null));

        assertEquals(15_000L, data.expiresAtMillis());
        assertFalse(data.expired(14_999L));
        assertTrue(data.expired(15_000L));
        assertTrue(data.expired(20_000L));
        assertNull(data.delayedWill());
    }

    @Test
    void sessionSuspendedWithExpiry0xFFFFFFFFNeverExpires() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, NEVER, null));

        assertEquals(Long.MAX_VALUE, data.expiresAtMillis());
        assertFalse(data.expired(Long.MAX_VALUE - 1));
        assertFalse(data.expired(5_000L + NEVER * 1000));
    }

    @Test
    void theLargestFiniteExpiryIsStillFinite() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, NEVER - 1, null));

        assertEquals(5_000L + (NEVER - 1) * 1000, data.expiresAtMillis());
        assertTrue(data.expired(5_000L + (NEVER - 1) * 1000));
    }

    @Test
    void aSessionThatDoesNotExistNeverCountsAsExpired() {
        SessionData data = new SessionData()
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 1, null));

        assertFalse(data.expired(1_000_000L));
    }

    @Test
    void aDelayedWillShorterThanTheExpiryIsDueAfterItsDelay() {
        Will will = mqtt5Will("status", 5, 60);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, will));

        assertSame(will, data.delayedWill());
        assertEquals(10_000L, data.willAtMillis());
        assertEquals(15_000L, data.expiresAtMillis());
    }

    @Test
    void aDelayedWillLongerThanTheExpiryIsDueWhenTheSessionExpires() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, mqtt5Will("status", 30, 0)));

        assertEquals(15_000L, data.willAtMillis(), "min(delay, expiry)");
        assertEquals(15_000L, data.expiresAtMillis());
    }

    @Test
    void aDelayedWillEqualToTheExpiryIsDueWhenTheSessionExpires() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, mqtt5Will("status", 10, 0)));

        assertEquals(15_000L, data.willAtMillis());
        assertEquals(15_000L, data.expiresAtMillis());
    }

    @Test
    void aDelayedWillOfASessionThatNeverExpiresIsDueAfterItsDelay() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, NEVER, mqtt5Will("status", 3600, 0)));

        assertEquals(5_000L + 3_600_000L, data.willAtMillis());
        assertEquals(Long.MAX_VALUE, data.expiresAtMillis());
    }

    @Test
    void sessionResumedCancelsTheExpiryAndTheDelayedWillAndKeepsTheRest() {
        PendingDelivery unacknowledged = queued("t", "unacked", 1).sentAs(3);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("t", 1))))
                .apply(new SessionSuspended(List.of(unacknowledged), Set.of(9), 5_000L, 10, mqtt5Will("status", 5, 0)))
                .apply(new SessionResumed(8_000L));

        assertTrue(data.exists());
        assertEquals(Long.MAX_VALUE, data.expiresAtMillis());
        assertFalse(data.expired(15_000L), "the expiry of the suspension no longer applies");
        assertNull(data.delayedWill());
        assertEquals(List.of(new Subscription("t", 1)), data.toState().subscriptions());
        assertDeliveriesEqual(List.of(unacknowledged), data.toState().pending());
        assertEquals(Set.of(9), data.toState().awaitingRelease());
    }

    @Test
    void aSuspensionAfterAResumeStartsAFreshExpiry() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, mqtt5Will("status", 5, 0)))
                .apply(new SessionResumed(8_000L))
                .apply(new SessionSuspended(List.of(), Set.of(), 20_000L, 100, null));

        assertEquals(120_000L, data.expiresAtMillis());
        assertNull(data.delayedWill(), "the second connection left no will");
    }

    @Test
    void willPublishedClearsTheDelayedWillButKeepsTheSessionAndItsExpiry() {
        PendingDelivery queued = queued("t", "queued", 1);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("t", 1))))
                .apply(new SessionSuspended(List.of(queued), Set.of(), 5_000L, 10, mqtt5Will("status", 2, 0)))
                .apply(new WillPublished(7_000L));

        assertNull(data.delayedWill());
        assertTrue(data.exists());
        assertEquals(15_000L, data.expiresAtMillis());
        assertEquals(List.of(new Subscription("t", 1)), data.toState().subscriptions());
        assertDeliveriesEqual(List.of(queued), data.toState().pending());
    }

    @Test
    void sessionClearedDiscardsTheExpiryAndTheDelayedWill() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, mqtt5Will("status", 5, 0)))
                .apply(new SessionCleared(15_000L));

        assertFalse(data.exists());
        assertEquals(Long.MAX_VALUE, data.expiresAtMillis());
        assertNull(data.delayedWill());
        assertNull(data.toSnapshot().delayedWill());

        data.apply(new SessionOpened(16_000L));
        assertFalse(data.expired(Long.MAX_VALUE - 1), "a new session does not inherit the old expiry");
    }

    @Test
    void snapshotKeepsTheExpiryAndTheDelayedWill() {
        Will will = mqtt5Will("status", 5, 60);
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new SessionSuspended(List.of(), Set.of(), 5_000L, 10, will));

        SessionSnapshot snapshot = data.toSnapshot();

        assertEquals(15_000L, snapshot.expiresAtMillis());
        assertSame(will, snapshot.delayedWill());
        assertEquals(10_000L, snapshot.willAtMillis());
    }

    @Test
    void fromSnapshotRestoresTheExpiryAndTheDelayedWill() {
        Will will = mqtt5Will("status", 5, 60);
        SessionData original = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1, true, false, 1, 7, null),
                        new Subscription("a", 2, false, false, 0, 0, "g"))))
                .apply(new SessionSuspended(List.of(queued("a", "x", 1)), Set.of(2), 5_000L, 10, will));

        SessionData restored = SessionData.fromSnapshot(original.toSnapshot());

        assertSnapshotEquals(original.toSnapshot(), restored.toSnapshot());
        assertEquals(15_000L, restored.expiresAtMillis());
        assertTrue(restored.expired(15_000L));
        assertWillEquals(will, restored.delayedWill());
        assertEquals(10_000L, restored.willAtMillis());

        // Keyed by Subscription.key(): unsubscribing the shared one leaves the plain one.
        restored.apply(new Unsubscribed(List.of("$share/g/a")));
        assertEquals(List.of(new Subscription("a", 1, true, false, 1, 7, null)), restored.toState().subscriptions());

        restored.apply(new WillPublished(10_000L));
        assertNull(restored.delayedWill());
        restored.apply(new SessionResumed(11_000L));
        assertEquals(Long.MAX_VALUE, restored.expiresAtMillis());
    }

    @Test
    void fromSnapshotOfASessionThatNeverExpiresNeverExpires() {
        SessionData original = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(suspended(List.of(), Set.of()));

        SessionData restored = SessionData.fromSnapshot(original.toSnapshot());

        assertEquals(Long.MAX_VALUE, restored.expiresAtMillis());
        assertFalse(restored.expired(Long.MAX_VALUE - 1));
        assertNull(restored.delayedWill());
    }
}
