package io.shoal.persistence;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.DeleteSnapshotsCompleted;
import akka.persistence.typed.DeletionTarget;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.SnapshotSelectionCriteria;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.Recovery;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link InMemorySnapshotStore} as Akka uses it: behind a real {@link EventSourcedBehavior} on Akka's
 * in-memory journal, with the same retention as the session entity (snapshot every 3 events, keep 2,
 * delete events on snapshot).
 */
class InMemorySnapshotStoreTest {

    private static final int SNAPSHOT_EVERY = 3;
    private static final int KEEP_SNAPSHOTS = 2;

    /** What {@code Recovery.default} is; Java cannot call a method of that name. */
    private static final Recovery DEFAULT_RECOVERY =
            Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.latest());

    private static ActorTestKit testKit;

    /** Makes every test use persistence ids of its own: the journal and the store live as long as the system. */
    private static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void startActorSystem() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                akka.persistence.snapshot-store.plugin = "shoal-internal.memory-snapshot-store"
                akka.persistence.journal.inmem.test-serialization = on
                """).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopActorSystem() {
        testKit.shutdownTestKit();
    }

    // ---------------------------------------------------------------------------------------------
    // The behavior under test: a counter that reports its recovery, snapshots and snapshot deletions
    // ---------------------------------------------------------------------------------------------

    sealed interface Command {
    }

    record Add(int amount, ActorRef<Integer> replyTo) implements Command {
    }

    record Get(ActorRef<Integer> replyTo) implements Command {
    }

    record Added(int amount) implements CborSerializable {
    }

    /** What the counter held once recovered, and how many events it replayed to get there. */
    record Recovered(int value, int eventsReplayed) {
    }

    /** Where the counter reports what happens to it. */
    record Observers(ActorRef<Recovered> recoveries, ActorRef<Long> snapshots,
                     ActorRef<SnapshotSelectionCriteria> snapshotDeletions) {
    }

    static final class Counter extends EventSourcedBehavior<Command, Added, Integer> {

        private final Observers observers;
        private final Recovery recovery;
        private boolean recovering = true;
        private int eventsReplayed;

        private Counter(String persistenceId, Observers observers, Recovery recovery) {
            super(PersistenceId.ofUniqueId(persistenceId));
            this.observers = observers;
            this.recovery = recovery;
        }

        static Behavior<Command> create(String persistenceId, Observers observers, Recovery recovery) {
            // A fresh instance per incarnation, so that the replay count starts at zero.
            return Behaviors.setup(unused -> new Counter(persistenceId, observers, recovery));
        }

        @Override
        public Integer emptyState() {
            return 0;
        }

        @Override
        public CommandHandler<Command, Added, Integer> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Add.class, (state, add) -> Effect().persist(new Added(add.amount()))
                            .thenReply(add.replyTo(), newState -> newState))
                    .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<Integer, Added> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((state, added) -> {
                if (recovering) {
                    eventsReplayed++;
                }
                return state + added.amount();
            });
        }

        @Override
        public SignalHandler<Integer> signalHandler() {
            return newSignalHandlerBuilder()
                    .onSignal(RecoveryCompleted.instance(), state -> {
                        recovering = false;
                        observers.recoveries().tell(new Recovered(state, eventsReplayed));
                    })
                    .onSignal(SnapshotCompleted.class, (state, completed) ->
                            observers.snapshots().tell(completed.metadata().sequenceNr()))
                    .onSignal(DeleteSnapshotsCompleted.class, (state, deleted) ->
                            observers.snapshotDeletions().tell(((DeletionTarget.Criteria) deleted.target()).selection()))
                    .build();
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, KEEP_SNAPSHOTS).withDeleteEventsOnSnapshot();
        }

        @Override
        public Recovery recovery() {
            return recovery;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Driving the counter from the tests
    // ---------------------------------------------------------------------------------------------

    /** One counter incarnation after another under the same persistence id, with probes on what it reports. */
    private static final class CounterHarness {

        final String persistenceId;
        final TestProbe<Integer> replies = testKit.createTestProbe();
        final TestProbe<Recovered> recoveries = testKit.createTestProbe();
        final TestProbe<Long> snapshots = testKit.createTestProbe();
        final TestProbe<SnapshotSelectionCriteria> snapshotDeletions = testKit.createTestProbe();
        private ActorRef<Command> counter;
        private long lastSequenceNr;

        CounterHarness(String persistenceId) {
            this.persistenceId = persistenceId;
        }

        /** Starts an incarnation recovering with {@code recovery}; returns what it recovered. */
        Recovered start(Recovery recovery) {
            counter = testKit.spawn(Counter.create(persistenceId,
                    new Observers(recoveries.getRef(), snapshots.getRef(), snapshotDeletions.getRef()), recovery));
            return recoveries.receiveMessage();
        }

        Recovered start() {
            return start(DEFAULT_RECOVERY);
        }

        /**
         * Adds {@code amount} {@code times}, one event each, and returns the new value once every snapshot
         * and every snapshot deletion the retention asked for is done.
         */
        int add(int times, int amount) {
            int value = -1;
            List<Long> expectedDeletions = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                counter.tell(new Add(amount, replies.getRef()));
                value = replies.receiveMessage();
                lastSequenceNr++;
                if (lastSequenceNr % SNAPSHOT_EVERY == 0) {
                    snapshots.expectMessage(lastSequenceNr);
                    // Akka then deletes the events up to lastSequenceNr - 2 * 3 and, once that is done,
                    // the snapshots below that sequence number (so three snapshots remain).
                    long eventsDeletedUpTo = lastSequenceNr - KEEP_SNAPSHOTS * SNAPSHOT_EVERY;
                    if (eventsDeletedUpTo > 0) {
                        expectedDeletions.add(eventsDeletedUpTo - 1);
                    }
                }
            }
            // The store's replies may overtake one another, so the deletions may complete in any order.
            List<Long> deletions = snapshotDeletions.receiveSeveralMessages(expectedDeletions.size()).stream()
                    .map(SnapshotSelectionCriteria::maxSequenceNr)
                    .sorted()
                    .toList();
            assertEquals(expectedDeletions, deletions, "snapshots deleted up to");
            return value;
        }

        int get() {
            counter.tell(new Get(replies.getRef()));
            return replies.receiveMessage();
        }

        void stop() {
            testKit.stop(counter);
        }

        /** Stops the running incarnation and starts the next one. */
        Recovered restart(Recovery recovery) {
            stop();
            return start(recovery);
        }

        Recovered restart() {
            return restart(DEFAULT_RECOVERY);
        }
    }

    private static CounterHarness newCounter() {
        return new CounterHarness("counter-" + ids.incrementAndGet());
    }

    /**
     * What a new counter that added 1 {@code events} times recovers when it starts again from the snapshot
     * that {@code criteria} selects. Each call uses a counter of its own: a recovery that replays past a
     * snapshot interval makes Akka save a snapshot right after it, which would change the next one.
     */
    private static Recovered recoverAfter(int events, SnapshotSelectionCriteria criteria) {
        CounterHarness counter = newCounter();
        counter.start();
        counter.add(events, 1);
        Recovered recovered = counter.restart(Recovery.withSnapshotSelectionCriteria(criteria));
        counter.stop();
        return recovered;
    }

    private static SnapshotSelectionCriteria latest() {
        return SnapshotSelectionCriteria.latest();
    }

    // ---------------------------------------------------------------------------------------------
    // Recovery from the store
    // ---------------------------------------------------------------------------------------------

    @Test
    void aNewCounterRecoversNothing() {
        CounterHarness counter = newCounter();

        assertEquals(new Recovered(0, 0), counter.start());
        counter.stop();
    }

    @Test
    void recoveryStartsFromTheYoungestSnapshotAndReplaysOnlyTheEventsAfterIt() {
        CounterHarness counter = newCounter();
        counter.start();
        assertEquals(7, counter.add(7, 1)); // snapshots at 3 and 6; no event deleted yet

        Recovered recovered = counter.restart();

        assertEquals(7, recovered.value());
        assertEquals(1, recovered.eventsReplayed(), "only event 7 follows the snapshot at 6");
        assertEquals(7, counter.get());
        counter.stop();
    }

    @Test
    void recoveryRightAfterASnapshotReplaysNoEvent() {
        CounterHarness counter = newCounter();
        counter.start();
        counter.add(6, 5);

        assertEquals(new Recovered(30, 0), counter.restart());
        counter.stop();
    }

    @Test
    void stateSurvivesSeveralIncarnationsWhileOldEventsAreDeleted() {
        CounterHarness counter = newCounter();
        counter.start();
        counter.add(5, 2);
        assertEquals(new Recovered(10, 2), counter.restart()); // snapshot at 3, then events 4 and 5

        assertEquals(18, counter.add(4, 2)); // snapshots at 6 and 9; events up to 3 deleted
        assertEquals(new Recovered(18, 0), counter.restart());

        assertEquals(30, counter.add(6, 2)); // snapshots at 12 and 15; events up to 9 deleted
        Recovered recovered = counter.restart();

        assertEquals(30, recovered.value(), "the events before the snapshot are gone, so it must come from the store");
        assertEquals(0, recovered.eventsReplayed());
        assertEquals(32, counter.add(1, 2));
        counter.stop();
    }

    @Test
    void countersWithDifferentPersistenceIdsDoNotSeeEachOthersSnapshots() {
        CounterHarness big = newCounter();
        CounterHarness small = newCounter();
        CounterHarness empty = newCounter();
        big.start();
        big.add(7, 100); // snapshots at 3 and 6
        small.start();
        small.add(4, 1); // snapshot at 3

        assertEquals(new Recovered(4, 1), small.restart());
        assertEquals(new Recovered(700, 1), big.restart());
        assertEquals(new Recovered(0, 0), empty.start());

        small.stop();
        big.stop();
        empty.stop();
    }

    @Test
    void recoveryWithoutSnapshotsReplaysEveryEvent() {
        assertEquals(new Recovered(5, 5), recoverAfter(5, SnapshotSelectionCriteria.none()));
    }

    // ---------------------------------------------------------------------------------------------
    // The store's selection criteria, through the recovery criteria of the behavior
    // ---------------------------------------------------------------------------------------------

    @Test
    void loadTakesTheYoungestSnapshotAtOrBelowTheMaxSequenceNr() {
        // 8 events: snapshots at 3 and 6, nothing deleted yet
        assertEquals(new Recovered(8, 2), recoverAfter(8, latest()));
        assertEquals(new Recovered(8, 2), recoverAfter(8, latest().withMaxSequenceNr(7)));
        assertEquals(new Recovered(8, 2), recoverAfter(8, latest().withMaxSequenceNr(6)));
        assertEquals(new Recovered(8, 5), recoverAfter(8, latest().withMaxSequenceNr(5)));
        assertEquals(new Recovered(8, 5), recoverAfter(8, latest().withMaxSequenceNr(3)));
        assertEquals(new Recovered(8, 8), recoverAfter(8, latest().withMaxSequenceNr(2)));
    }

    @Test
    void loadRespectsTheMinSequenceNr() {
        // 8 events: snapshots at 3 and 6
        assertEquals(new Recovered(8, 5), recoverAfter(8, latest().withMinSequenceNr(3).withMaxSequenceNr(5)));
        assertEquals(new Recovered(8, 8), recoverAfter(8, latest().withMinSequenceNr(4).withMaxSequenceNr(5)));
        assertEquals(new Recovered(8, 2), recoverAfter(8, latest().withMinSequenceNr(6)));
        assertEquals(new Recovered(8, 8), recoverAfter(8, latest().withMinSequenceNr(7)));
    }

    @Test
    void loadRespectsTheTimestampBounds() {
        long beforeAnySnapshot = System.currentTimeMillis();

        // 4 events: a snapshot at 3, stamped by the store when saved
        assertEquals(new Recovered(4, 1), recoverAfter(4, latest().withMinTimestamp(beforeAnySnapshot)));
        assertEquals(new Recovered(4, 1), recoverAfter(4, latest().withMaxTimestamp(Long.MAX_VALUE - 1)));
        assertEquals(new Recovered(4, 4), recoverAfter(4, latest().withMaxTimestamp(beforeAnySnapshot - 1)));
        assertEquals(new Recovered(4, 4), recoverAfter(4, latest().withMinTimestamp(Long.MAX_VALUE)));
    }

    @Test
    void retentionDeletesTheSnapshotsBeforeTheTwoOlderOnesKept() {
        // 12 events: snapshots at 3, 6, 9 and 12; then events up to 6 and the snapshot at 3 are deleted.
        assertEquals(new Recovered(12, 0), recoverAfter(12, latest()));
        assertEquals(new Recovered(12, 3), recoverAfter(12, latest().withMaxSequenceNr(11)));
        assertEquals(new Recovered(12, 6), recoverAfter(12, latest().withMaxSequenceNr(8)));
        // Without the snapshot at 3, only the events that are left (7 to 12) replay.
        assertEquals(new Recovered(6, 6), recoverAfter(12, latest().withMaxSequenceNr(5)));
    }
}
