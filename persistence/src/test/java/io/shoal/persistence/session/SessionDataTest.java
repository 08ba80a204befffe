package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.shoal.persistence.session.SessionFixtures.assertDeliveriesEqual;
import static io.shoal.persistence.session.SessionFixtures.assertStateEquals;
import static io.shoal.persistence.session.SessionFixtures.queued;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionDataTest {

    @Test
    void newSessionDataIsEmptyAndDoesNotExist() {
        SessionData data = new SessionData();

        assertFalse(data.exists());
        assertEquals(0, data.pendingCount());
        assertStateEquals(SessionState.EMPTY, data.toState());
        assertEquals(new SessionSnapshot(false, List.of(), List.of(), Set.of()), data.toSnapshot());
    }

    @Test
    void applyReturnsTheSameInstance() {
        SessionData data = new SessionData();

        assertSame(data, data.apply(new SessionOpened(1L)));
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
                .apply(new SessionSuspended(List.of(queued("t", "old", 1)), Set.of(1, 2)))
                .apply(new SessionSuspended(List.of(inFlight, stillQueued), Set.of(3)));

        SessionState state = data.toState();
        assertDeliveriesEqual(List.of(inFlight, stillQueued), state.pending());
        assertEquals(Set.of(3), state.awaitingRelease());
        assertEquals(List.of(new Subscription("t", 2)), state.subscriptions(), "subscriptions are untouched");
    }

    @Test
    void sessionSuspendedWithNothingPendingEmptiesTheQueue() {
        SessionData data = new SessionData()
                .apply(new MessageQueued(queued("t", "x", 1)))
                .apply(new SessionSuspended(List.of(queued("t", "y", 1)), Set.of(5)))
                .apply(new SessionSuspended(List.of(), Set.of()));

        assertEquals(0, data.pendingCount());
        assertEquals(Set.of(), data.toState().awaitingRelease());
    }

    @Test
    void messagesQueuedAfterSuspensionFollowTheSuspendedOnes() {
        PendingDelivery inFlight = queued("t", "in flight", 1).sentAs(3);
        PendingDelivery later = queued("t", "later", 1);

        SessionData data = new SessionData()
                .apply(new SessionSuspended(List.of(inFlight), Set.of()))
                .apply(new MessageQueued(later));

        assertDeliveriesEqual(List.of(inFlight, later), data.toState().pending());
    }

    @Test
    void sessionClearedDiscardsEverything() {
        SessionData data = new SessionData()
                .apply(new SessionOpened(1L))
                .apply(new Subscribed(List.of(new Subscription("a", 1))))
                .apply(new MessageQueued(queued("a", "x", 1)))
                .apply(new SessionSuspended(List.of(queued("a", "y", 1)), Set.of(9)))
                .apply(new SessionCleared(2L));

        assertFalse(data.exists());
        assertEquals(0, data.pendingCount());
        assertStateEquals(SessionState.EMPTY, data.toState());
        assertEquals(new SessionSnapshot(false, List.of(), List.of(), Set.of()), data.toSnapshot());
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
                .apply(new SessionSuspended(List.of(first), Set.of(4)));

        SessionState before = data.toState();

        data.apply(new Subscribed(List.of(new Subscription("a", 2), new Subscription("b", 0))))
                .apply(new MessageQueued(queued("t", "second", 1)))
                .apply(new SessionSuspended(List.of(), Set.of(5, 6)));

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
                .apply(new SessionSuspended(List.of(first), Set.of(4)));

        SessionSnapshot before = data.toSnapshot();

        data.apply(new Subscribed(List.of(new Subscription("a", 2), new Subscription("b", 0))))
                .apply(new MessageQueued(queued("t", "second", 1)))
                .apply(new SessionSuspended(List.of(), Set.of(5)))
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
                .apply(new SessionSuspended(List.of(queued("z/1", "in flight", 2).sentAs(11).asReleased(),
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
}
