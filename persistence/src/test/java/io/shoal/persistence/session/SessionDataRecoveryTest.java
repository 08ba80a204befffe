package io.shoal.persistence.session;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.ConfigFactory;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.PersistenceMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.shoal.persistence.session.SessionFixtures.assertSnapshotEquals;
import static io.shoal.persistence.session.SessionFixtures.assertStateEquals;
import static io.shoal.persistence.session.SessionFixtures.mqtt5Publication;
import static io.shoal.persistence.session.SessionFixtures.mqtt5Will;
import static io.shoal.persistence.session.SessionFixtures.queued;
import static io.shoal.persistence.session.SessionFixtures.suspended;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SessionData} as the session entity keeps it: the mutable state of an event-sourced behavior
 * whose snapshot adapter hands {@link SessionSnapshot} copies to the store, in the memory persistence
 * mode (events serialized by the journal).
 */
class SessionDataRecoveryTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startActorSystem() {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
                        "akka.persistence.journal.inmem.test-serialization = on")
                .withFallback(PersistenceMode.MEMORY.akkaConfig(ConfigFactory.load(), null))
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopActorSystem() {
        testKit.shutdownTestKit();
    }

    record Append(SessionEvent event, ActorRef<Done> replyTo) {
    }

    /** What the session held once recovered, and how many events it replayed. */
    record Recovered(SessionData data, int eventsReplayed) {
    }

    /** The persistence of the session entity, without its protocol: every command is an event to persist. */
    static final class Session extends EventSourcedBehavior<Append, SessionEvent, SessionData> {

        private final ActorRef<Recovered> recoveries;
        private final ActorRef<Long> snapshots;
        private boolean recovering = true;
        private int eventsReplayed;

        private Session(String id, ActorRef<Recovered> recoveries, ActorRef<Long> snapshots) {
            super(PersistenceId.ofUniqueId(id));
            this.recoveries = recoveries;
            this.snapshots = snapshots;
        }

        static Behavior<Append> create(String id, ActorRef<Recovered> recoveries, ActorRef<Long> snapshots) {
            return Behaviors.setup(unused -> new Session(id, recoveries, snapshots));
        }

        @Override
        public SessionData emptyState() {
            return new SessionData();
        }

        @Override
        public CommandHandler<Append, SessionEvent, SessionData> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (data, append) -> Effect().persist(append.event())
                            .thenReply(append.replyTo(), unused -> Done.getInstance()))
                    .build();
        }

        @Override
        public EventHandler<SessionData, SessionEvent> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((data, event) -> {
                if (recovering) {
                    eventsReplayed++;
                }
                return data.apply(event);
            });
        }

        @Override
        public SignalHandler<SessionData> signalHandler() {
            return newSignalHandlerBuilder()
                    .onSignal(RecoveryCompleted.instance(), data -> {
                        recovering = false;
                        recoveries.tell(new Recovered(data, eventsReplayed));
                    })
                    .onSignal(SnapshotCompleted.class, (data, completed) ->
                            snapshots.tell(completed.metadata().sequenceNr()))
                    .build();
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return RetentionCriteria.snapshotEvery(3, 2).withDeleteEventsOnSnapshot();
        }

        /** As in the session entity. */
        @Override
        public SnapshotAdapter<SessionData> snapshotAdapter() {
            return new SessionSnapshotAdapter();
        }
    }

    @Test
    void aSessionRecoversFromItsSnapshotAndTheEventsAfterIt() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        List<SessionEvent> events = List.of(
                new SessionEvent.SessionOpened(1L),
                new SessionEvent.Subscribed(List.of(new Subscription("a/#", 1), new Subscription("b", 2))),
                new SessionEvent.MessageQueued(queued("a/1", "one", 1)),               // snapshot at 3
                new SessionEvent.MessageQueued(PendingDelivery.queued(
                        new Publication("b", binary, 2, true), 2, false)),
                new SessionEvent.Subscribed(List.of(new Subscription("a/#", 0), new Subscription("c", 1))),
                suspended(List.of(queued("a/1", "one", 1).sentAs(1),
                        queued("b", "two", 2).sentAs(2).asReleased()), Set.of(7, 8)),  // snapshot at 6
                new SessionEvent.MessageQueued(queued("c", "three", 1)),
                new SessionEvent.Unsubscribed(List.of("b")));
        SessionData expected = new SessionData();
        events.forEach(expected::apply);

        TestProbe<Recovered> recoveries = testKit.createTestProbe();
        TestProbe<Long> snapshots = testKit.createTestProbe();
        TestProbe<Done> replies = testKit.createTestProbe();
        ActorRef<Append> session = testKit.spawn(Session.create("session-1", recoveries.getRef(), snapshots.getRef()));
        recoveries.receiveMessage();
        for (SessionEvent event : events) {
            session.tell(new Append(event, replies.getRef()));
            replies.expectMessage(Done.getInstance());
        }
        snapshots.expectMessage(3L);
        snapshots.expectMessage(6L);
        testKit.stop(session);

        testKit.spawn(Session.create("session-1", recoveries.getRef(), snapshots.getRef()));
        Recovered recovered = recoveries.receiveMessage();

        assertEquals(2, recovered.eventsReplayed(), "events 7 and 8 after the snapshot at 6");
        assertTrue(recovered.data().exists());
        assertStateEquals(expected.toState(), recovered.data().toState());
    }

    /** Appends {@code events} to a new session, stops it and returns what its next incarnation recovers. */
    private static Recovered persistAndRecover(String id, List<SessionEvent> events, long... expectedSnapshots) {
        TestProbe<Recovered> recoveries = testKit.createTestProbe();
        TestProbe<Long> snapshots = testKit.createTestProbe();
        TestProbe<Done> replies = testKit.createTestProbe();
        ActorRef<Append> session = testKit.spawn(Session.create(id, recoveries.getRef(), snapshots.getRef()));
        recoveries.receiveMessage();
        for (SessionEvent event : events) {
            session.tell(new Append(event, replies.getRef()));
            replies.expectMessage(Done.getInstance());
        }
        for (long sequenceNr : expectedSnapshots) {
            snapshots.expectMessage(sequenceNr);
        }
        testKit.stop(session);

        testKit.spawn(Session.create(id, recoveries.getRef(), snapshots.getRef()));
        return recoveries.receiveMessage();
    }

    @Test
    void anOfflineMqtt5SessionRecoversItsExpiryAndDelayedWillFromASnapshot() {
        Will will = mqtt5Will("clients/1/status", 60, 300);
        List<SessionEvent> events = List.of(
                new SessionEvent.SessionOpened(1_000L),
                new SessionEvent.Subscribed(List.of(new Subscription("a/#", 2, true, true, 2, 17, null),
                        new Subscription("a/#", 1, false, false, 0, 0, "g"))),
                new SessionEvent.SessionSuspended(List.of(), Set.of(), 2_000L, 10, null),      // snapshot at 3
                new SessionEvent.SessionResumed(3_000L),
                new SessionEvent.MessageQueued(PendingDelivery.queued(
                        mqtt5Publication("a/1", "one", 2, 9_999_000L), 2, false, List.of(17), null)),
                new SessionEvent.SessionSuspended(List.of(), Set.of(5), 4_000L, 3_600, will), // snapshot at 6
                new SessionEvent.MessageQueued(PendingDelivery.queued(
                        mqtt5Publication("a/2", "two", 1, 0), 1, false, List.of(), "g/a/#")));
        SessionData expected = new SessionData();
        events.forEach(expected::apply);

        Recovered recovered = persistAndRecover("session-mqtt5", events, 3L, 6L);

        assertEquals(1, recovered.eventsReplayed(), "event 7 after the snapshot at 6");
        assertSnapshotEquals(expected.toSnapshot(), recovered.data().toSnapshot());
        assertEquals(4_000L + 3_600_000L, recovered.data().expiresAtMillis());
        assertNotNull(recovered.data().delayedWill());
        assertEquals(4_000L + 60_000L, recovered.data().willAtMillis());
        assertEquals(1, recovered.data().pendingCount(), "the suspension replaced the queue; one queued after it");
    }

    @Test
    void aWillPublishedAfterTheSnapshotIsReplayed() {
        List<SessionEvent> events = List.of(
                new SessionEvent.SessionOpened(1_000L),
                new SessionEvent.Subscribed(List.of(new Subscription("a", 1))),
                new SessionEvent.SessionSuspended(List.of(), Set.of(), 2_000L, 10, mqtt5Will("w", 5, 0)), // snapshot
                new SessionEvent.WillPublished(7_000L));

        Recovered recovered = persistAndRecover("session-will-published", events, 3L);

        assertEquals(1, recovered.eventsReplayed());
        assertTrue(recovered.data().exists());
        assertNull(recovered.data().delayedWill());
        assertEquals(12_000L, recovered.data().expiresAtMillis());
        assertTrue(recovered.data().expired(12_000L));
    }
}
