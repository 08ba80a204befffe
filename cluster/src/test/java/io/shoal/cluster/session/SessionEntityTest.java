package io.shoal.cluster.session;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.ProcessingPolicy;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.cluster.ClusterMembership;
import io.shoal.cluster.ClusterSettings;
import io.shoal.cluster.ClusterView;
import io.shoal.cluster.NodeGateway;
import io.shoal.cluster.NodeGateway.CloseConnection;
import io.shoal.cluster.delivery.AwaitedReceipts;
import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.cluster.NodeGateway.RetireRoute;
import io.shoal.cluster.session.SessionCommand.Connect;
import io.shoal.cluster.session.SessionCommand.Connected;
import io.shoal.cluster.session.SessionCommand.ConnectionRef;
import io.shoal.cluster.session.SessionCommand.DeadlineDue;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.UserProperty;
import io.shoal.node.session.Will;
import io.shoal.persistence.session.SessionEvent;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionResumed;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import io.shoal.persistence.session.SessionEvent.WillPublished;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SessionEntity} hosted outside sharding: the test plays the shard (a probe receives its
 * Passivate and the test sends {@link SessionCommand.Stop}), the node's publisher (wills) and the
 * connection gateway (takeover, retired routes). What an entity sends through sharding itself (a
 * CONNECT that reached a passivating incarnation, the wake-up of a session that left memory) goes to
 * a stand-in shard region that hands it to a probe of the test. The journal is the persistence test
 * kit's, which serializes events as production does; snapshots go to Shoal's in-memory snapshot store.
 *
 * <p>Session expiry and will delays are real durations of one second, waited for with probe timeouts.
 */
class SessionEntityTest {

    /** MQTT 3.1.1 clean session 1: clean start, session expiry 0. */
    private static final boolean CLEAN_SESSION = true;
    /** MQTT 3.1.1 clean session 0: no clean start, a session that never expires. */
    private static final boolean PERSISTENT_SESSION = false;
    private static final Publication NO_WILL = null;
    private static final Will NO_DELAYED_WILL = null;

    /** MQTT 5 Clean Start. */
    private static final boolean CLEAN_START = true;
    private static final boolean RESUME = false;
    /** Session Expiry Interval 0xFFFFFFFF: never. */
    private static final long NEVER = 0xFFFFFFFFL;
    /** A node that was a member once and has left the cluster. */
    private static final String DEPARTED_NODE = "akka://SessionEntityTest@10.255.0.1:25520#-1";
    /** A node whose membership does not matter to the test. */
    private static final String OTHER_NODE = "akka://SessionEntityTest@10.255.0.2:25520#-2";

    /** Akka's scheduler may run a task up to one tick (akka.scheduler.tick-duration) early. */
    private static final long SCHEDULER_TICK_MILLIS = 10;

    /** Generous upper bound for what is due after one second. */
    private static final Duration DUE_WITHIN = Duration.ofSeconds(4);

    /** How long to watch where something must NOT happen. */
    private static final Duration SHORT = Duration.ofMillis(200);

    private static final SessionSettings DEFAULT_SETTINGS = new SessionSettings(
            100,                    // maxQueued
            false,                  // queueQos0Offline
            1000,                   // snapshotEvery: no snapshot (hence no event deletion) unless a test asks
            Duration.ofMinutes(1),  // passivateAfter: an offline persistent session stays loaded during a test
            Duration.ofSeconds(10), // takeoverTimeout
            Duration.ofSeconds(5)); // askTimeout

    private static ActorTestKit testKit;
    private static PersistenceTestKit journal;
    /** Where publishers' receipts wait for the entity's answer, as on a node. */
    private static AwaitedReceipts receipts;
    /** Per client id, who receives what the stand-in shard region gets for that entity. */
    private static final Map<String, ActorRef<SessionCommand>> nextIncarnations = new ConcurrentHashMap<>();

    private String testName;

    @BeforeAll
    static void startActorSystem() {
        Config config = ConfigFactory.parseString("""
                        akka.loggers = ["akka.event.slf4j.Slf4jLogger"]
                        akka.logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
                        akka.actor.provider = cluster
                        akka.remote.artery.canonical.hostname = 127.0.0.1
                        akka.remote.artery.canonical.port = 0
                        akka.cluster.jmx.multi-mbeans-in-same-jvm = on
                        akka.persistence.snapshot-store.plugin = "shoal-internal.memory-snapshot-store"
                        """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(ConfigFactory.load());
        testKit = ActorTestKit.create("SessionEntityTest", config);
        journal = PersistenceTestKit.create(testKit.system());
        receipts = AwaitedReceipts.start(testKit.system(), DEFAULT_SETTINGS.askTimeout());
        // A shard region whose entities only report what reaches them, standing in for an entity's
        // next incarnation. It needs the node to be a cluster member.
        ClusterMembership.join(testKit.system(), ClusterSettings.standalone());
        ClusterSharding.get(testKit.system()).init(Entity.of(SessionEntity.TYPE_KEY, ctx ->
                Behaviors.receiveMessage(command -> {
                    ActorRef<SessionCommand> target = nextIncarnations.get(ctx.getEntityId());
                    if (target != null) {
                        target.tell(command);
                    }
                    return Behaviors.same();
                })));
    }

    @AfterAll
    static void stopActorSystem() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void nameClientAfterTest(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
    }

    // ---------------------------------------------------------------------------------------------
    // Clean sessions

    @Test
    void cleanSessionIsAnsweredEmptyPublishesItsWillOnDetachWritesNothingAndLeavesMemory() {
        Session session = newSession(DEFAULT_SETTINGS);
        Publication will = message("clients/gone", "bye", 1);

        Connected connected = session.connect(CLEAN_SESSION, 1);
        assertFalse(connected.sessionPresent());
        assertEquals(SessionState.EMPTY, connected.state());

        session.detach(1, List.of(), Set.of(), will);
        assertSame(will, session.published.receiveMessage());
        session.expectPassivationRequested();

        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));
        assertEquals(1, session.metrics.get(Counter.SESSIONS_UNLOADED));
        assertTrue(journal.persistedInStorage(session.persistenceId).isEmpty());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void cleanSessionDetachWithoutWillPublishesNothing() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(CLEAN_SESSION, 1);

        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPassivationRequested(); // the will would have been published before this

        session.published.expectNoMessage(SHORT);
        assertEquals(0, session.metrics.get(Counter.WILLS_PUBLISHED));
    }

    @Test
    void cleanSessionSubscriptionsAreNotJournaled() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(CLEAN_SESSION, 1);

        session.subscribe(1, new Subscription("a/#", 1));
        session.unsubscribe(1, "a/#");

        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    // ---------------------------------------------------------------------------------------------
    // Persistent sessions

    @Test
    void persistentSessionIsOpenedThenResumedWithItsSubscriptionsAndUnacknowledgedMessages() {
        Session session = newSession(DEFAULT_SETTINGS);

        Connected first = session.connect(PERSISTENT_SESSION, 1);
        assertFalse(first.sessionPresent());
        assertEquals(SessionState.EMPTY, first.state());
        session.expectPersisted(SessionOpened.class);

        Subscription sensors = new Subscription("sensors/#", 1);
        Subscription alarms = new Subscription("alarms", 2);
        session.subscribe(1, sensors, alarms);
        session.expectPersisted(new Subscribed(List.of(sensors, alarms)));
        session.unsubscribe(1, "alarms");
        session.expectPersisted(new Unsubscribed(List.of("alarms")));

        List<PendingDelivery> unacknowledged = List.of(
                inFlight(message("sensors/1", "21C", 1), 1, 7),
                PendingDelivery.queued(message("sensors/2", "22C", 2), 2, false));
        Set<Integer> awaitingRelease = Set.of(3, 4);
        session.detach(1, unacknowledged, awaitingRelease, NO_WILL);
        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertEquals(describe(unacknowledged), describe(suspended.pending()));
        assertEquals(awaitingRelease, suspended.awaitingRelease());

        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertTrue(resumed.sessionPresent());
        assertEquals(List.of(sensors), resumed.state().subscriptions());
        assertEquals(describe(unacknowledged), describe(resumed.state().pending()));
        assertEquals(awaitingRelease, resumed.state().awaitingRelease());
        session.expectPersisted(SessionResumed.class); // cancels expiry and delayed will
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void offlineSessionQueuesQos1And2InOrderDropsQos0AndDropsBeyondTheQueueLimit() {
        Session session = newSession(new SessionSettings(3, false, 1000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.goOffline();

        Publication first = message("t", "first", 1);
        Publication qos0 = message("t", "qos0", 0);
        Publication second = message("t", "second", 2);
        Publication third = message("t", "third", 1);
        Publication overLimit = message("t", "over the limit", 2);
        session.deliver(first, 1);
        session.deliver(qos0, 0);
        session.deliver(second, 2);
        session.deliver(third, 1);
        session.deliver(overLimit, 2);

        assertQueued(session.expectPersisted(MessageQueued.class), first, 1);
        assertQueued(session.expectPersisted(MessageQueued.class), second, 2);
        assertQueued(session.expectPersisted(MessageQueued.class), third, 1);
        journal.expectNothingPersisted(session.persistenceId, SHORT);

        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(List.of(PendingDelivery.queued(first, 1, false),
                        PendingDelivery.queued(second, 2, false), PendingDelivery.queued(third, 1, false))),
                describe(resumed.state().pending()));
        assertEquals(1, session.metrics.get(Counter.DROPPED_QOS0_OFFLINE));
        assertEquals(1, session.metrics.get(Counter.DROPPED_OFFLINE_QUEUE_FULL));
    }

    @Test
    void offlineSessionQueuesQos0WhenConfiguredTo() {
        Session session = newSession(new SessionSettings(100, true, 1000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.goOffline();

        Publication qos0 = message("t", "qos0", 0);
        session.deliver(qos0, 0);

        assertQueued(session.expectPersisted(MessageQueued.class), qos0, 0);
        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(List.of(PendingDelivery.queued(qos0, 0, false))), describe(resumed.state().pending()));
        assertEquals(0, session.metrics.get(Counter.DROPPED_QOS0_OFFLINE));
    }

    @Test
    void queueLimitCountsTheMessagesReturnedAtDisconnect() {
        Session session = newSession(new SessionSettings(3, false, 1000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        List<PendingDelivery> unacknowledged = List.of(
                inFlight(message("t", "in flight", 1), 1, 1),
                PendingDelivery.queued(message("t", "queued", 1), 1, false));
        session.detach(1, unacknowledged, Set.of(), NO_WILL);
        session.expectPersisted(SessionSuspended.class);

        Publication fits = message("t", "fits", 1);
        session.deliver(fits, 1);
        session.deliver(message("t", "does not fit", 1), 1);

        assertQueued(session.expectPersisted(MessageQueued.class), fits, 1);
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(1, session.metrics.get(Counter.DROPPED_OFFLINE_QUEUE_FULL));
    }

    @Test
    void messagesArrivingWhileOnlineAreQueuedAfterWhatTheConnectionReturnsAtDetach() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);

        Publication late1 = message("t", "late 1", 1);
        Publication late2 = message("t", "late 2", 2);
        session.deliver(late1, 1);
        session.deliver(late2, 2);
        journal.expectNothingPersisted(session.persistenceId, SHORT); // held while the connection is online

        List<PendingDelivery> unacknowledged = List.of(
                inFlight(message("t", "early 1", 1), 1, 11),
                PendingDelivery.queued(message("t", "early 2", 1), 1, false));
        session.detach(1, unacknowledged, Set.of(), NO_WILL);
        session.expectPersisted(SessionSuspended.class);
        assertQueued(session.expectPersisted(MessageQueued.class), late1, 1);
        assertQueued(session.expectPersisted(MessageQueued.class), late2, 2);

        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(List.of(unacknowledged.get(0), unacknowledged.get(1),
                        PendingDelivery.queued(late1, 1, false), PendingDelivery.queued(late2, 2, false))),
                describe(resumed.state().pending()));
    }

    @Test
    void subscriptionChangesFromAConnectionThatIsNotTheCurrentOneAreAnsweredButNotJournaled() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPersisted(SessionSuspended.class);
        session.connect(PERSISTENT_SESSION, 2);
        session.expectPersisted(SessionResumed.class);

        session.subscribe(1, new Subscription("from/previous/connection", 1)); // answered Done
        session.unsubscribe(1, "from/previous/connection");
        session.subscribe(99, new Subscription("from/unknown/connection", 1));
        session.unsubscribe(99, "from/unknown/connection");

        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void cleanConnectOverAPersistentSessionClearsIt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.openSubscribed(NEVER, new Subscription("a", 1));
        session.detach(1, List.of(PendingDelivery.queued(message("a", "kept", 1), 1, false)), Set.of(5), NO_WILL);
        session.expectPersisted(SessionSuspended.class);

        Connected clean = session.connect(CLEAN_SESSION, 2);
        assertFalse(clean.sessionPresent());
        assertEquals(SessionState.EMPTY, clean.state());
        session.expectPersisted(SessionCleared.class);

        session.detach(2, List.of(), Set.of(), NO_WILL);
        session.expectPassivationRequested(); // nothing left to keep
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        session.restart(); // what sharding does with a passivated entity that gets a message

        Connected persistentAgain = session.connect(PERSISTENT_SESSION, 3);
        assertFalse(persistentAgain.sessionPresent());
        assertEquals(SessionState.EMPTY, persistentAgain.state());
        session.expectPersisted(SessionOpened.class);
    }

    // ---------------------------------------------------------------------------------------------
    // Takeover

    @Test
    void takeoverClosesThePreviousConnectionAndAnswersOnlyOnceItHasDetached() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        Subscription subscription = new Subscription("x/+", 2);
        session.subscribe(1, subscription);
        session.expectPersisted(Subscribed.class);

        TestProbe<Connected> successor = session.connectAsync(PERSISTENT_SESSION, 2);
        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());
        successor.expectNoMessage(SHORT);

        List<PendingDelivery> unacknowledged = List.of(inFlight(message("x/y", "unacked", 2), 2, 9));
        Publication will = message("status/1", "offline", 1);
        session.detach(1, unacknowledged, Set.of(8), will);

        Connected connected = successor.receiveMessage();
        assertTrue(connected.sessionPresent());
        assertEquals(List.of(subscription), connected.state().subscriptions());
        assertEquals(describe(unacknowledged), describe(connected.state().pending()));
        assertEquals(Set.of(8), connected.state().awaitingRelease());
        assertSame(will, session.published.receiveMessage()); // MQTT 3.1.1 publishes the will on takeover
        session.expectPersisted(SessionSuspended.class);
        session.expectPersisted(SessionResumed.class);
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void takeoverOfACleanSessionKeepsTheEntityLoadedForTheSuccessor() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(CLEAN_SESSION, 1);

        TestProbe<Connected> successor = session.connectAsync(CLEAN_SESSION, 2);
        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());
        Publication will = message("status/1", "offline", 0);
        session.detach(1, List.of(), Set.of(), will);

        Connected connected = successor.receiveMessage();
        assertFalse(connected.sessionPresent());
        assertSame(will, session.published.receiveMessage());
        session.shard.expectNoMessage(SHORT); // the successor is online: no passivation
        assertEquals(0, session.metrics.get(Counter.SESSIONS_UNLOADED));
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void takeoverContinuesWithoutThePreviousConnectionAfterTheTimeoutAndIgnoresItsLateState() {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMinutes(1),
                Duration.ofMillis(200), Duration.ofSeconds(5)));
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        Subscription journaled = new Subscription("kept", 1);
        session.subscribe(1, journaled);
        session.expectPersisted(Subscribed.class);

        TestProbe<Connected> successor = session.connectAsync(PERSISTENT_SESSION, 2);
        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());

        Connected connected = successor.receiveMessage(Duration.ofSeconds(3)); // no Detach from connection 1
        assertTrue(connected.sessionPresent());
        assertEquals(List.of(journaled), connected.state().subscriptions());
        assertEquals(List.of(), connected.state().pending());
        session.expectPersisted(SessionSuspended.class); // as a disconnect that held nothing
        session.expectPersisted(SessionResumed.class);

        session.detach(1, List.of(inFlight(message("t", "too late", 1), 1, 1)), Set.of(1),
                message("status/1", "offline", 1));
        Subscription ofSuccessor = new Subscription("new", 1);
        session.subscribe(2, ofSuccessor); // processed after the late Detach; connection 2 is still current
        session.expectPersisted(new Subscribed(List.of(ofSuccessor))); // and no SessionSuspended before it
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        // The late connection's state is stale, but its will is still due: it ended without DISCONNECT.
        assertEquals("status/1", session.published.receiveMessage().topic());
        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));
    }

    // ---------------------------------------------------------------------------------------------
    // Messages of online clients whose publishers wait for them to be safe

    @Test
    void messagesAnOnlineClientIsSlowToAcknowledgeAreJournaledBeforeTheirPublishersAreToldAndSurviveARestart()
            throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE; // lost with the session's node, as far as this test goes
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        HeldWrites held = new HeldWrites(session.persistenceId);
        journal.withPolicy(held);
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        CompletableFuture<Boolean> second = new CompletableFuture<>();
        List<PendingDelivery> slow = List.of(PendingDelivery.queued(message("t", "first", 1), 1, false),
                PendingDelivery.queued(message("t", "second", 2), 2, false));
        try {
            session.entity.tell(new SessionCommand.Journal(1, slow, false, List.of(awaiting(first), awaiting(second))));

            assertTrue(held.arrived.await(5, TimeUnit.SECONDS), "the write reaches the journal");
            assertFalse(first.isDone() || second.isDone(), "settled before the journal answered");
            held.release.countDown();
            assertTrue(first.get(5, TimeUnit.SECONDS) && second.get(5, TimeUnit.SECONDS));
        } finally {
            held.release.countDown();
            journal.resetPolicy();
        }
        assertQueued(session.expectPersisted(MessageQueued.class), slow.get(0).publication(), 1);
        assertQueued(session.expectPersisted(MessageQueued.class), slow.get(1).publication(), 2);

        session.restart(); // as after the loss of the node: nothing was detached
        session.node = new ClusterView(testKit.system()).selfId();
        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(slow), describe(resumed.state().pending()));
    }

    @Test
    void aReplacingJournalKeepsOnlyWhatTheClientHasStillNotAcknowledged() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE; // lost with the session's node, as far as this test goes
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        PendingDelivery acknowledgedSince = PendingDelivery.queued(message("t", "acknowledged since", 1), 1, false);
        PendingDelivery stillWaiting = PendingDelivery.queued(message("t", "still waiting", 1), 1, false);
        PendingDelivery slowNow = PendingDelivery.queued(message("t", "slow now", 1), 1, false);
        session.entity.tell(new SessionCommand.Journal(1, List.of(acknowledgedSince, stillWaiting), false, List.of()));
        session.expectPersisted(MessageQueued.class);
        session.expectPersisted(MessageQueued.class);

        CompletableFuture<Boolean> receipt = new CompletableFuture<>();
        session.entity.tell(new SessionCommand.Journal(1, List.of(stillWaiting, slowNow), true,
                List.of(awaiting(receipt))));
        assertEquals(describe(List.of(stillWaiting, slowNow)),
                describe(session.expectPersisted(SessionEvent.PendingReplaced.class).pending()));
        assertTrue(receipt.get(5, TimeUnit.SECONDS));

        session.restart();
        session.node = new ClusterView(testKit.system()).selfId();
        assertEquals(describe(List.of(stillWaiting, slowNow)),
                describe(session.connect(PERSISTENT_SESSION, 2).state().pending()));
    }

    @Test
    void publishersWaitingForWhatAClientHeldAreToldOnceItsDetachIsJournaled() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        CompletableFuture<Boolean> kept = new CompletableFuture<>();
        session.entity.tell(new SessionCommand.Detach(session.connection(1),
                List.of(PendingDelivery.queued(message("t", "held", 1), 1, false)), Set.of(), null, NEVER,
                List.of(awaiting(kept)), session.detached.ref()));
        session.expectPersisted(SessionSuspended.class);
        assertTrue(kept.get(5, TimeUnit.SECONDS));

        session.connect(PERSISTENT_SESSION, 2);
        session.expectPersisted(SessionResumed.class);
        CompletableFuture<Boolean> sessionEnds = new CompletableFuture<>();
        session.entity.tell(new SessionCommand.Detach(session.connection(2), List.of(), Set.of(), null, 0,
                List.of(awaiting(sessionEnds)), session.detached.ref()));
        assertTrue(sessionEnds.get(5, TimeUnit.SECONDS), "a session that ends keeps nothing, nobody needs to wait");
    }

    @Test
    void whatAConnectionGivenUpOnHeldIsNotKeptAndItsPublishersAreToldSo() throws Exception {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMinutes(1),
                Duration.ofMillis(200), Duration.ofSeconds(5)));
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        TestProbe<Connected> successor = session.connectAsync(PERSISTENT_SESSION, 2);
        successor.receiveMessage(Duration.ofSeconds(3)); // connection 1 never detached in time
        session.expectPersisted(SessionSuspended.class);
        session.expectPersisted(SessionResumed.class);

        CompletableFuture<Boolean> journaledLate = new CompletableFuture<>();
        CompletableFuture<Boolean> detachedLate = new CompletableFuture<>();
        session.entity.tell(new SessionCommand.Journal(1, List.of(PendingDelivery.queued(message("t", "late", 1), 1, false)),
                false, List.of(awaiting(journaledLate))));
        session.entity.tell(new SessionCommand.Detach(session.connection(1), List.of(), Set.of(), null, NEVER,
                List.of(awaiting(detachedLate)), session.detached.ref()));

        assertFalse(journaledLate.get(5, TimeUnit.SECONDS), "its publisher sends it again");
        assertFalse(detachedLate.get(5, TimeUnit.SECONDS));
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void aMessageRoutedByTheNodeTheClientLeftIsPassedOnWithItsPublishersReceipt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        TestProbe<NodeGateway.Command> previousNode = testKit.createTestProbe();
        ReceiptRef receipt = awaiting(new CompletableFuture<>());
        PendingDelivery message = PendingDelivery.queued(message("t", "via the old node", 1), 1, false);

        session.entity.tell(new SessionCommand.Deliver(message, previousNode.ref(), receipt));

        NodeGateway.DeliverToClient passedOn = (NodeGateway.DeliverToClient) session.gateway.receiveMessage();
        assertEquals(receipt, passedOn.receipt(), "the client's node settles it once the message is safe there");
        assertEquals(new NodeGateway.RetireRoute(session.clientId), previousNode.receiveMessage());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    /** A publisher's receipt with one store expected, as the entity sees it; {@code outcome} completes with it. */
    private static ReceiptRef awaiting(CompletableFuture<Boolean> outcome) {
        StorageReceipt receipt = new StorageReceipt(r -> outcome.complete(r.succeeded()));
        receipt.expectStore();
        receipt.seal();
        return receipts.await(receipt);
    }

    // ---------------------------------------------------------------------------------------------
    // Leaving memory and coming back

    @Test
    void persistentSessionIsRebuiltFromItsSnapshotAndLaterEvents() {
        Session session = newSession(new SessionSettings(100, false, 3, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        Subscription dropped = new Subscription("dropped", 1);
        Subscription kept = new Subscription("kept/#", 2);
        List<PendingDelivery> unacknowledged = List.of(inFlight(message("kept/a", "unacked", 2), 2, 4));
        Publication[] queued = {message("kept/b", "q1", 1), message("kept/c", "q2", 2),
                message("kept/d", "q3", 1), message("kept/e", "q4", 1)};

        session.connect(PERSISTENT_SESSION, 1);               // event 1
        session.subscribe(1, dropped);                         // 2
        session.subscribe(1, kept);                            // 3: snapshot
        session.unsubscribe(1, "dropped");                     // 4
        session.detach(1, unacknowledged, Set.of(6), NO_WILL); // 5
        session.deliver(queued[0], 1);                         // 6: snapshot
        session.deliver(queued[1], 2);                         // 7
        session.deliver(queued[2], 1);                         // 8
        // Event 9 triggers a snapshot after which events 1 to 3 are deleted: from then on the session
        // can only be rebuilt with a snapshot.
        session.deliver(queued[3], 1);                         // 9: snapshot
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            List<Object> stored = journal.persistedInStorage(session.persistenceId);
            assertFalse(stored.stream().anyMatch(e -> e instanceof SessionOpened), "events deleted: " + stored);
            return null;
        });
        Publication afterSnapshot = message("kept/f", "q5", 2);
        session.deliver(afterSnapshot, 2);                     // 10: replayed after the snapshot

        session.restart();

        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertTrue(resumed.sessionPresent());
        assertEquals(List.of(kept), resumed.state().subscriptions());
        assertEquals(describe(List.of(unacknowledged.get(0),
                        PendingDelivery.queued(queued[0], 1, false), PendingDelivery.queued(queued[1], 2, false),
                        PendingDelivery.queued(queued[2], 1, false), PendingDelivery.queued(queued[3], 1, false),
                        PendingDelivery.queued(afterSnapshot, 2, false))),
                describe(resumed.state().pending()));
        assertEquals(Set.of(6), resumed.state().awaitingRelease());
    }

    @Test
    void offlinePersistentSessionLeavesMemoryAfterPassivateAfter() {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMillis(300),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.goOffline();

        session.expectPassivationRequested();
        assertEquals(1, session.metrics.get(Counter.SESSIONS_UNLOADED));
    }

    /**
     * Sharding starts an entity for any message. An offline session woken by a message it does not
     * queue (QoS 0 here; likewise a full queue or a session that no longer exists) must leave memory
     * again after passivate-after, as it would after a queued message.
     */
    @Test
    void sessionWokenByAMessageItDropsLeavesMemoryAgain() {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMillis(300),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.goOffline();
        session.expectPassivationRequested();
        session.restart();

        session.deliver(message("t", "qos0", 0), 0);

        testKit.createTestProbe().awaitAssert(() -> { // the new incarnation has handled (and dropped) it
            assertEquals(1, session.metrics.get(Counter.DROPPED_QOS0_OFFLINE));
            return null;
        });
        session.expectPassivationRequested(Duration.ofSeconds(3), "the incarnation woken by a dropped QoS 0 message "
                + "never asks its shard to passivate: SessionEntity.onDeliver arms the idle timer only on the path "
                + "that queues the message");
    }

    @Test
    void connectReachingAPassivatingIncarnationIsHandedBackToSharding() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(CLEAN_SESSION, 1);
        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPassivationRequested();

        TestProbe<Connected> reconnecting = session.connectAsync(CLEAN_SESSION, 2);

        SessionCommand forwarded = session.nextIncarnation.receiveMessage(Duration.ofSeconds(20));
        assertTrue(forwarded instanceof Connect, "forwarded: " + forwarded);
        assertEquals(2, ((Connect) forwarded).connection().id());
        assertEquals(reconnecting.ref(), ((Connect) forwarded).replyTo());
        reconnecting.expectNoMessage(SHORT);
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    // ---------------------------------------------------------------------------------------------
    // MQTT 5: session expiry, delayed wills, message expiry

    @Test
    void aSessionDetachedWithExpiryOneSecondEndsAfterItAndRetiresItsRoute() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.openSubscribed(1, new Subscription("a/#", 1));

        long detachedAt = System.currentTimeMillis();
        session.detach(1, List.of(PendingDelivery.queued(message("a/1", "unacked", 1), 1, false)), Set.of(3),
                NO_DELAYED_WILL, 1);
        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertEquals(1, suspended.expirySeconds());
        assertNull(suspended.delayedWill());

        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage(DUE_WITHIN));
        assertNotBefore(detachedAt, 1000, "the expiry of the session");
        session.expectPersisted(SessionCleared.class);
        assertEquals(1, session.metrics.get(Counter.SESSIONS_EXPIRED));
        session.expectPassivationRequested(); // nothing left to keep
        session.published.expectNoMessage(SHORT); // it had no will
        assertEquals(0, session.metrics.get(Counter.WILLS_PUBLISHED));

        session.restart();
        Connected reconnected = session.connect(RESUME, 1, 2);
        assertFalse(reconnected.sessionPresent());
        assertEquals(SessionState.EMPTY, reconnected.state());
        session.expectPersisted(SessionOpened.class);
    }

    @Test
    void aMessageForASessionThatExpiredWhileOutOfMemoryIsNotQueued() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.connect(RESUME, 1, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, NO_DELAYED_WILL, 1);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop();
        session.expectWakeUp(); // past its expiry; the wake-up is not delivered (as if its node had restarted)

        session.start();
        session.deliver(message("t", "too late", 1), 1); // handled before the deadline is acted on

        session.expectPersisted(SessionCleared.class); // and no MessageQueued before it
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void expiryZeroAtDetachEndsTheSessionAndPublishesTheWillAtOnceWhateverItsDelay() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.openSubscribed(60, new Subscription("a", 1));

        Will will = will("clients/1/status", 60);
        session.detach(1, List.of(PendingDelivery.queued(message("a", "unacked", 1), 1, false)), Set.of(2), will, 0);

        assertSame(will.message(), session.published.receiveMessage(Duration.ofSeconds(3)), "not after 60 s");
        session.expectPersisted(SessionCleared.class);
        session.expectPassivationRequested();
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));

        session.restart();
        Connected reconnected = session.connect(RESUME, 60, 2);
        assertFalse(reconnected.sessionPresent());
        assertEquals(SessionState.EMPTY, reconnected.state());
        session.published.expectNoMessage(SHORT); // the will went out once
    }

    @Test
    void aDelayedWillIsPublishedAfterItsDelayWhenTheClientDoesNotComeBack() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        MessageProperties properties = new MessageProperties(1, 0, "text/plain", "replies", new byte[] {4, 2},
                List.of(new UserProperty("reason", "gone")));
        Will will = new Will(new Publication("clients/1/status", "offline".getBytes(StandardCharsets.UTF_8), 1, true,
                properties, null), 1, 30);

        long detachedAt = System.currentTimeMillis();
        session.detach(1, will, 60);
        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertNotNull(suspended.delayedWill());
        assertEquals(1, suspended.delayedWill().delaySeconds());

        Publication published = session.published.receiveMessage(DUE_WITHIN);
        long publishedBy = System.currentTimeMillis();
        assertNotBefore(detachedAt, 1000, "the delayed will");
        assertEquals("clients/1/status", published.topic());
        assertArrayEquals("offline".getBytes(StandardCharsets.UTF_8), published.payload());
        assertTrue(published.retain());
        assertEquals("text/plain", published.properties().contentType());
        assertEquals(List.of(new UserProperty("reason", "gone")), published.properties().userProperties());
        // The will's Message Expiry Interval runs from when it is published.
        long expiresAt = published.properties().expiresAtMillis();
        assertTrue(expiresAt >= detachedAt + 1000 + 30_000 && expiresAt <= publishedBy + 30_000,
                "expires at " + expiresAt + ", published between " + (detachedAt + 1000) + " and " + publishedBy);
        session.expectPersisted(WillPublished.class);
        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));
        session.gateway.expectNoMessage(SHORT); // the session itself lives on

        Connected resumed = session.connect(RESUME, 60, 2);
        assertTrue(resumed.sessionPresent());
        session.expectPersisted(SessionResumed.class);
        session.published.expectNoMessage(SHORT); // published once
    }

    @Test
    void aDelayedWillIsNotPublishedWhenTheClientResumesTheSessionBeforeItsDelay() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, will("clients/1/status", 1), 60);
        session.expectPersisted(SessionSuspended.class);

        Connected resumed = session.connect(RESUME, 60, 2);
        assertTrue(resumed.sessionPresent());
        session.expectPersisted(SessionResumed.class);

        session.published.expectNoMessage(Duration.ofMillis(1500)); // well past the delay
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(0, session.metrics.get(Counter.WILLS_PUBLISHED));

        // Leaving again without a will: the cancelled one does not come back.
        session.detach(2, NO_DELAYED_WILL, 60);
        session.expectPersisted(SessionSuspended.class);
        session.published.expectNoMessage(SHORT);
    }

    @Test
    void aTakeoverThatResumesTheSessionDoesNotPublishTheDelayedWillOfThePreviousConnection() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);

        TestProbe<Connected> successor = session.connectAsync(RESUME, 60, 2);
        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());
        session.detach(1, will("clients/1/status", 1), 60);

        assertTrue(successor.receiveMessage().sessionPresent());
        session.expectPersisted(SessionSuspended.class);
        session.expectPersisted(SessionResumed.class);
        session.published.expectNoMessage(Duration.ofMillis(1500)); // well past the delay
        assertEquals(0, session.metrics.get(Counter.WILLS_PUBLISHED));
    }

    @Test
    void aDelayedWillIsPublishedAtOnceWhenACleanStartEndsTheSession() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 60);
        session.detach(1, will, 60);
        session.expectPersisted(SessionSuspended.class);

        Connected clean = session.connect(CLEAN_START, 60, 2);

        assertFalse(clean.sessionPresent());
        assertEquals(SessionState.EMPTY, clean.state());
        assertSame(will.message(), session.published.receiveMessage(Duration.ofSeconds(3)), "not after 60 s");
        session.expectPersisted(SessionCleared.class);
        session.expectPersisted(SessionOpened.class);
        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));
        session.published.expectNoMessage(SHORT);
    }

    @Test
    void aWillDelayedBeyondTheSessionExpiryIsPublishedWhenTheSessionExpires() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 1, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 60);

        long detachedAt = System.currentTimeMillis();
        session.detach(1, will, 1);
        session.expectPersisted(SessionSuspended.class);

        assertSame(will.message(), session.published.receiveMessage(DUE_WITHIN));
        assertNotBefore(detachedAt, 1000, "the will of the expiring session");
        session.expectPersisted(SessionCleared.class); // no WillPublished: the session ends with it
        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage());
        assertEquals(1, session.metrics.get(Counter.SESSIONS_EXPIRED));
        assertEquals(1, session.metrics.get(Counter.WILLS_PUBLISHED));
        session.published.expectNoMessage(SHORT);
    }

    @Test
    void expiredMessagesAreNotQueuedOfflineAndOthersKeepTheirMqtt5Fields() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        long now = System.currentTimeMillis();

        session.deliver(PendingDelivery.queued(expiringMessage("t", "expired", now - 1), 1, false, List.of(7), null));
        PendingDelivery live = PendingDelivery.queued(expiringMessage("t", "live", now + 60_000), 1, false,
                List.of(7, 9), "group/t");
        session.deliver(live);

        MessageQueued queued = session.expectPersisted(MessageQueued.class);
        assertEquals(describe(List.of(live)), describe(List.of(queued.delivery())));
        assertEquals(now + 60_000, queued.delivery().publication().properties().expiresAtMillis());
        assertEquals(List.of(7, 9), queued.delivery().subscriptionIds());
        assertEquals("group/t", queued.delivery().shareGroup());
        assertEquals("publisher", queued.delivery().publication().publisherId());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(1, session.metrics.get(Counter.DROPPED_EXPIRED));

        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(List.of(live)), describe(resumed.state().pending()));
        assertEquals(List.of(7, 9), resumed.state().pending().get(0).subscriptionIds());
    }

    @Test
    void anMqtt5TransientSessionResumesAnExistingSessionAndLeavesNothingBehind() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        Subscription subscription = new Subscription("a/#", 1, true, false, 0, 5, null);
        session.subscribe(1, subscription);
        session.expectPersisted(Subscribed.class);
        List<PendingDelivery> unacknowledged = List.of(inFlight(message("a/1", "unacked", 1), 1, 4));
        session.detach(1, unacknowledged, Set.of(), NO_DELAYED_WILL, 60);
        session.expectPersisted(SessionSuspended.class);

        Connected connected = session.connect(RESUME, 0, 2);

        assertTrue(connected.sessionPresent());
        assertEquals(List.of(subscription), connected.state().subscriptions());
        assertEquals(describe(unacknowledged), describe(connected.state().pending()));
        session.expectPersisted(SessionCleared.class); // nothing of it outlives this connection
        session.subscribe(2, new Subscription("b", 1));
        journal.expectNothingPersisted(session.persistenceId, SHORT); // not journaled

        Will will = will("clients/1/status", 30);
        session.detach(2, will, 0);
        assertSame(will.message(), session.published.receiveMessage(Duration.ofSeconds(3)), "the session ended");
        session.expectPassivationRequested();
        journal.expectNothingPersisted(session.persistenceId, SHORT);

        session.restart();
        Connected afterwards = session.connect(RESUME, 60, 3);
        assertFalse(afterwards.sessionPresent());
        assertEquals(SessionState.EMPTY, afterwards.state());
    }

    @Test
    void anMqtt5TransientSessionWithoutAStoredOneWritesNothing() {
        Session session = newSession(DEFAULT_SETTINGS);

        Connected connected = session.connect(RESUME, 0, 1);
        assertFalse(connected.sessionPresent());
        session.subscribe(1, new Subscription("a", 1));
        session.detach(1, NO_DELAYED_WILL, 0);

        session.expectPassivationRequested();
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    // ---------------------------------------------------------------------------------------------
    // Deadlines of sessions that left memory

    @Test
    void aSessionThatLeftMemoryIsWokenThroughShardingWhenItExpiresAndRetiresItsRoute() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.connect(RESUME, 1, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 60);
        long detachedAt = System.currentTimeMillis();
        session.detach(1, will, 1);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop(); // as its shard does

        DeadlineDue wakeUp = session.expectWakeUp();
        assertNotBefore(detachedAt, 1000 - SCHEDULER_TICK_MILLIS, "the wake-up");
        assertEquals(session.gateway.ref(), wakeUp.routes(), "the gateway of the node routing for the session");
        assertEquals(0, session.metrics.get(Counter.WILLS_PUBLISHED));

        session.start();
        session.entity.tell(wakeUp);

        assertPublishedAsIs(will, session.published.receiveMessage()); // recovered from the journal
        session.expectPersisted(SessionCleared.class);
        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage());
        assertEquals(1, session.metrics.get(Counter.SESSIONS_EXPIRED));
        session.expectPassivationRequested();
    }

    @Test
    void aSessionThatLeftMemoryIsWokenToPublishItsDelayedWillAndIsKept() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 1);
        long detachedAt = System.currentTimeMillis();
        session.detach(1, will, 60);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop();

        DeadlineDue wakeUp = session.expectWakeUp();
        assertNotBefore(detachedAt, 1000 - SCHEDULER_TICK_MILLIS, "the wake-up");
        session.start();
        session.entity.tell(wakeUp);

        Publication published = session.published.receiveMessage();
        assertEquals("clients/1/status", published.topic());
        session.expectPersisted(WillPublished.class);
        session.gateway.expectNoMessage(SHORT);
        session.expectPassivationRequested(); // again, until its expiry
        session.restart();

        Connected resumed = session.connect(RESUME, 60, 2);
        assertTrue(resumed.sessionPresent());
        session.expectPersisted(SessionResumed.class);
        session.published.expectNoMessage(SHORT); // not published again
    }

    @Test
    void aSessionThatExpiredWhileOutOfMemoryIsNotResumedAndItsWillGoesOut() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.openSubscribed(1, new Subscription("a", 1));
        Will will = will("clients/1/status", 60);
        session.detach(1, will, 1);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop();
        session.expectWakeUp(); // past its expiry; the wake-up is not delivered (as if its node had restarted)

        session.start();
        Connected connected = session.connect(RESUME, 60, 2);

        assertFalse(connected.sessionPresent());
        assertEquals(SessionState.EMPTY, connected.state());
        assertPublishedAsIs(will, session.published.receiveMessage()); // recovered from the journal
        session.expectPersisted(SessionCleared.class);
        session.expectPersisted(SessionOpened.class);
    }

    /**
     * The routing node's gateway is remembered in memory only; an incarnation loaded by a message
     * for the offline client learns it from that message, so the route is retired when the session
     * expires.
     */
    @Test
    void aSessionReloadedBeforeItsExpiryRetiresItsRouteWhenItExpires() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.connect(RESUME, 2, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, NO_DELAYED_WILL, 2);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop();

        // A message for the offline client loads the session again; it is still in memory at its expiry.
        session.settings = DEFAULT_SETTINGS;
        session.start();
        session.deliver(message("t", "while offline", 1), 1);
        session.expectPersisted(MessageQueued.class);

        session.expectPersisted(SessionCleared.class); // expired, by the timer of the reloaded incarnation
        session.entity.tell(session.expectWakeUp()); // the wake-up scheduled by the first incarnation arrives too
        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage(DUE_WITHIN),
                "the node routing for the expired session is never told to retire its route");
    }

    /**
     * Akka's scheduler refuses delays beyond 2^31 ticks (about 248 days with the default 10 ms tick);
     * a longer (finite) session expiry is waited for in steps, after detach and after recovery.
     */
    @Test
    void aSessionExpiryBeyondTheRangeOfAkkasSchedulerKeepsTheSession() {
        long oneYear = 365L * 24 * 3600; // beyond 2^31 ticks of 10 ms (about 248 days)
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, oneYear, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, NO_DELAYED_WILL, oneYear);
        session.expectPersisted(SessionSuspended.class);

        TestProbe<Connected> reconnecting = session.connectAsync(RESUME, oneYear, 2);
        assertTrue(reconnecting.receiveMessage(Duration.ofSeconds(3)).sessionPresent(),
                "the entity failed arming a timer for the expiry a year ahead");
        session.detach(2, NO_DELAYED_WILL, oneYear);
        session.expectPersisted(SessionResumed.class);
        session.expectPersisted(SessionSuspended.class);

        session.restart(); // recovery arms the same timer
        TestProbe<Connected> afterReload = session.connectAsync(RESUME, oneYear, 3);
        assertTrue(afterReload.receiveMessage(Duration.ofSeconds(3)).sessionPresent(),
                "the entity failed arming the expiry timer on recovery");
    }

    /**
     * When the wake-up of a passivated session is lost (its node restarted), a CONNECT that loads the
     * session after the will delay has passed publishes the due will as it resumes the session
     * [MQTT-3.1.3-9 only cancels it before the delay has passed].
     */
    @Test
    void aDelayedWillDueBeforeTheSessionIsLoadedAgainIsPublishedEvenIfTheClientResumes() {
        Session session = newSession(passivatingAfter(Duration.ofMillis(300)));
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 1);
        session.detach(1, will, 60);
        session.expectPersisted(SessionSuspended.class);
        session.expectPassivationRequested();
        session.stop();
        session.expectWakeUp(); // its delay has passed; the wake-up is lost (as if its node had restarted)

        session.start();
        Connected resumed = session.connect(RESUME, 60, 2);

        assertTrue(resumed.sessionPresent());
        assertPublishedAsIs(will, session.published.receiveMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // Offline queue writes and the publishers' receipts

    @Test
    void aReceiptSettlesOnlyOnceItsMessageIsJournaled() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        HeldWrites held = new HeldWrites(session.persistenceId);
        journal.withPolicy(held);
        try {
            Publication message = message("t", "stored", 1);
            CompletableFuture<Boolean> stored = session.deliverAwaitingStore(message, 1);

            assertTrue(held.arrived.await(5, TimeUnit.SECONDS), "the write reaches the journal");
            assertFalse(stored.isDone(), "settled before the journal answered");
            held.release.countDown();

            assertTrue(stored.get(5, TimeUnit.SECONDS));
            assertQueued(session.expectPersisted(MessageQueued.class), message, 1);
        } finally {
            held.release.countDown();
            journal.resetPolicy();
        }
    }

    @Test
    void receiptsOfMessagesDroppedOnPurposeSettleAtOnceAndNothingIsJournaled() throws Exception {
        Session session = newSession(new SessionSettings(1, false, 1000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5)));
        session.goOffline();
        CompletableFuture<Boolean> kept = session.deliverAwaitingStore(message("t", "fills the queue", 1), 1);
        assertTrue(kept.get(5, TimeUnit.SECONDS));
        session.expectPersisted(MessageQueued.class);

        List<CompletableFuture<Boolean>> dropped = List.of(
                session.deliverAwaitingStore(message("t", "queue full", 1), 1),
                session.deliverAwaitingStore(message("t", "qos 0", 0), 0),
                session.deliverAwaitingStore(expiringMessage("t", "expired", System.currentTimeMillis() - 1), 1));
        for (CompletableFuture<Boolean> receipt : dropped) {
            assertTrue(receipt.get(5, TimeUnit.SECONDS), "a deliberate drop counts as done");
        }
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(1, session.metrics.get(Counter.DROPPED_OFFLINE_QUEUE_FULL));
        assertEquals(1, session.metrics.get(Counter.DROPPED_QOS0_OFFLINE));
        assertEquals(1, session.metrics.get(Counter.DROPPED_EXPIRED));
    }

    @Test
    void aMessageItsPublisherGaveUpOnIsNotStoredLate() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        // As when the Deliver waited in sharding's buffer past the publisher's store timeout: the
        // publisher was told "not stored" and sends the message again, so storing it now would
        // deliver it twice.
        TestProbe<ReceiptRef.ReceiptSettled> publisher = testKit.createTestProbe();
        ReceiptRef late = new ReceiptRef(publisher.ref(), 1, System.currentTimeMillis() - 1);
        session.entity.tell(new SessionCommand.Deliver(PendingDelivery.queued(message("t", "too late", 2), 2, false),
                session.gateway.ref(), late));
        CompletableFuture<Boolean> next = session.deliverAwaitingStore(message("t", "in time", 2), 2);

        assertTrue(next.get(5, TimeUnit.SECONDS));
        assertEquals("in time", new String(session.expectPersisted(MessageQueued.class).delivery().publication().payload(),
                StandardCharsets.UTF_8));
        journal.expectNothingPersisted(session.persistenceId, SHORT);
        assertEquals(1, session.metrics.get(Counter.DROPPED_ACK_GIVEN_UP));
        assertEquals(new ReceiptRef.ReceiptSettled(1, true), publisher.receiveMessage(), "its publisher waits no more");
    }

    @Test
    void theReceiptOfAMessageForASessionThatHasEndedSettles() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        CompletableFuture<Boolean> receipt = session.deliverAwaitingStore(message("t", "nobody home", 1), 1);

        assertTrue(receipt.get(5, TimeUnit.SECONDS));
        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    /** While one write is under way the next messages gather; they are journaled together, in order. */
    @Test
    void aBurstIsJournaledInFewerWritesThanMessagesAndInOrder() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        HeldWrites held = new HeldWrites(session.persistenceId);
        journal.withPolicy(held);
        int burst = 50;
        List<Publication> messages = new ArrayList<>();
        List<CompletableFuture<Boolean>> receipts = new ArrayList<>();
        try {
            for (int i = 0; i < burst; i++) {
                messages.add(message("t", "m" + i, 1));
                receipts.add(session.deliverAwaitingStore(messages.get(i), 1));
            }
            assertTrue(held.arrived.await(5, TimeUnit.SECONDS));
            held.release.countDown();
            for (CompletableFuture<Boolean> receipt : receipts) {
                assertTrue(receipt.get(5, TimeUnit.SECONDS));
            }
        } finally {
            held.release.countDown();
            journal.resetPolicy();
        }

        // The first write takes what is in the mailbox by then; the rest gather behind it and form one more.
        assertTrue(held.writes.get() <= 2, held.writes.get() + " writes for " + burst + " messages");
        for (Publication message : messages) {
            assertQueued(session.expectPersisted(MessageQueued.class), message, 1);
        }
        Connected resumed = session.connect(PERSISTENT_SESSION, 2);
        assertEquals(describe(messages.stream().map(m -> PendingDelivery.queued(m, 1, false)).toList()),
                describe(resumed.state().pending()));
    }

    /** A CONNECT that arrives while messages are being journaled is answered with them, and after them. */
    @Test
    void commandsArrivingWhileMessagesAreBeingJournaledTakeEffectAfterThem() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        HeldWrites held = new HeldWrites(session.persistenceId);
        journal.withPolicy(held);
        Publication first = message("t", "first", 1);
        Publication second = message("t", "second", 2);
        Publication late = message("t", "after the connect", 1);
        TestProbe<Connected> connected;
        CompletableFuture<Boolean> lateStored;
        try {
            session.deliverAwaitingStore(first, 1);
            assertTrue(held.arrived.await(5, TimeUnit.SECONDS));
            session.deliverAwaitingStore(second, 2);
            connected = session.connectAsync(PERSISTENT_SESSION, 2);
            lateStored = session.deliverAwaitingStore(late, 1);
            held.release.countDown();
        } finally {
            held.release.countDown();
            journal.resetPolicy();
        }

        assertEquals(describe(List.of(PendingDelivery.queued(first, 1, false), PendingDelivery.queued(second, 2, false))),
                describe(connected.receiveMessage().state().pending()));
        assertQueued(session.expectPersisted(MessageQueued.class), first, 1);
        assertQueued(session.expectPersisted(MessageQueued.class), second, 2);
        session.expectPersisted(SessionResumed.class);
        // The late message waits for the connection's Detach, as any message reaching an online session.
        assertFalse(lateStored.isDone());
        session.detach(2, List.of(), Set.of(), NO_WILL);
        assertTrue(lateStored.get(5, TimeUnit.SECONDS));
        session.expectPersisted(SessionSuspended.class);
        assertQueued(session.expectPersisted(MessageQueued.class), late, 1);
    }

    /** What sharding hands a session that is being rebuilt from its journal waits for the recovery. */
    @Test
    void aReceiptForASessionBeingRecoveredSettlesOnceItsMessageIsJournaled() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        session.restart();
        Publication message = message("t", "during recovery", 1);

        assertTrue(session.deliverAwaitingStore(message, 1).get(5, TimeUnit.SECONDS));
        assertQueued(session.expectPersisted(MessageQueued.class), message, 1);
    }

    /** Sharding's Stop (passivation) right behind a message: the message is journaled before the entity stops. */
    @Test
    void anEntityToldToStopJournalsTheMessagesItAcceptedFirst() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        Publication message = message("t", "before the stop", 1);

        CompletableFuture<Boolean> stored = session.deliverAwaitingStore(message, 1);
        session.stop();

        assertTrue(stored.get(5, TimeUnit.SECONDS));
        assertQueued(session.expectPersisted(MessageQueued.class), message, 1);
    }

    /** A failed write stops the entity; the receipts of what it had not journaled fail instead of hanging. */
    @Test
    void aFailedWriteFailsTheReceiptsOfItsMessages() throws Exception {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        journal.failNextPersisted(session.persistenceId);
        try {
            CompletableFuture<Boolean> receipt = session.deliverAwaitingStore(message("t", "lost", 1), 1);

            assertFalse(receipt.get(5, TimeUnit.SECONDS), "reported as stored");
            testKit.createTestProbe().expectTerminated(session.entity, Duration.ofSeconds(5));
        } finally {
            journal.resetPolicy();
        }
    }

    /**
     * Holds the first write of one persistence id until {@link #release} (so that what follows
     * gathers behind it) and counts its writes, one per persist call.
     */
    private static final class HeldWrites implements ProcessingPolicy<JournalOperation> {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();
        private final String persistenceId;

        HeldWrites(String persistenceId) {
            this.persistenceId = persistenceId;
        }

        @Override
        public ProcessingResult tryProcess(String id, JournalOperation operation) {
            if (id.equals(persistenceId) && operation instanceof WriteEvents) {
                writes.incrementAndGet();
                arrived.countDown();
                try {
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("write never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ProcessingSuccess.getInstance();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fixture

    // ---------------------------------------------------------------------------------------------
    // An incarnation recovered while its client is connected (its node was lost, or sharding moved it)

    @Test
    void aSessionRecoveredWhileItsClientIsConnectedAppliesThatConnectionsDetach() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        session.restart();

        Will will = will("clients/1/status", 1);
        session.detach(1, will, 60);

        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertEquals(60, suspended.expirySeconds());
        assertEquals("clients/1/status", suspended.delayedWill().message().topic());
        assertEquals(Done.getInstance(), session.detached.receiveMessage());
        assertPublishedAsIs(will, session.published.receiveMessage(DUE_WITHIN));
    }

    @Test
    void subscriptionsChangedAfterTheSessionWasRecoveredAreJournaled() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        session.restart();

        session.subscribe(1, new Subscription("a/#", 1));

        assertEquals(List.of(new Subscription("a/#", 1)), session.expectPersisted(Subscribed.class).subscriptions());
    }

    @Test
    void aTakeoverOfARecoveredSessionClosesTheConnectionTheJournalKnows() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        session.restart();

        TestProbe<Connected> successor = session.connectAsync(PERSISTENT_SESSION, 2);

        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());
        session.detach(1, List.of(), Set.of(), NO_WILL);
        assertTrue(successor.receiveMessage().sessionPresent());
    }

    /** The connection's node sends a detach until it is answered; one that arrives twice is applied once. */
    @Test
    void aDetachSentAgainIsAnsweredAndNotAppliedTwice() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        Will will = will("clients/1/status", 0);
        session.detach(1, will, 60);
        session.expectPersisted(SessionSuspended.class);
        assertEquals(Done.getInstance(), session.detached.receiveMessage());
        session.published.receiveMessage();

        session.detach(1, will, 60);

        assertEquals(Done.getInstance(), session.detached.receiveMessage());
        session.published.expectNoMessage(SHORT);
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    // ---------------------------------------------------------------------------------------------
    // Restore at a node start

    @Test
    void anOfflineSessionWhoseNodeLeftIsTakenOverAndItsExpiryReachesTheNodeThatTookItOver() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE; // its client connected through a node that has left the cluster since
        session.openSubscribed(2, new Subscription("fleet/+/status", 1), new Subscription("alerts", 2));
        session.detach(1, NO_DELAYED_WILL, 2);
        session.expectPersisted(SessionSuspended.class);

        // As after the loss of that node: an incarnation recovered from the journal.
        session.restart();
        TestProbe<NodeGateway.Command> adopter = testKit.createTestProbe();
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(adopter.ref(), "adopter#1", Set.of(), replyTo.ref()));

        Set<String> filters = new HashSet<>();
        replyTo.receiveMessage().subscriptions().forEach(s -> filters.add(s.filter()));
        assertEquals(Set.of("fleet/+/status", "alerts"), filters);
        assertEquals("adopter#1", session.expectPersisted(SessionEvent.RoutedBy.class).node());
        assertEquals(new RetireRoute(session.clientId), adopter.receiveMessage(DUE_WITHIN),
                "the session's expiry ends it and tells the node that routes for it now");
        session.expectPersisted(SessionCleared.class);
    }

    @Test
    void anOfflineSessionWhoseNodeIsAMemberIsLeftToIt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline(); // through this node, a member
        session.restart();
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();

        session.entity.tell(new SessionCommand.Restore(testKit.createTestProbe(NodeGateway.Command.class).ref(),
                "other#1", Set.of(), replyTo.ref()));

        assertEquals(List.of(), replyTo.receiveMessage().subscriptions());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    /** A sweep whose answer was lost asks again: the node it took the session over for routes it again. */
    @Test
    void aSessionAlreadyRoutedByTheSweepingNodeGivesItsSubscriptionsAgainWithoutATakeover() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.openSubscribed(600, new Subscription("a/#", 1));
        session.detach(1, NO_DELAYED_WILL, 600);
        session.expectPersisted(SessionSuspended.class);
        TestProbe<NodeGateway.Command> adopter = testKit.createTestProbe();
        TestProbe<SessionCommand.Restored> firstAnswer = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(adopter.ref(), "adopter#1", Set.of(DEPARTED_NODE), firstAnswer.ref()));
        assertTrue(firstAnswer.receiveMessage().takenOver());
        session.expectPersisted(SessionEvent.RoutedBy.class);

        TestProbe<SessionCommand.Restored> secondAnswer = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(adopter.ref(), "adopter#1", Set.of(DEPARTED_NODE), secondAnswer.ref()));

        assertEquals(new SessionCommand.Restored(List.of(new Subscription("a/#", 1)), false), secondAnswer.receiveMessage());
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    @Test
    void aSessionWhoseNodeIsDepartingIsTakenOverAlthoughThisNodeStillSeesItAsAMember() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.goOffline();
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();
        TestProbe<NodeGateway.Command> adopter = testKit.createTestProbe();

        session.entity.tell(new SessionCommand.Restore(adopter.ref(), "adopter#1", Set.of(session.node), replyTo.ref()));

        replyTo.receiveMessage();
        assertEquals("adopter#1", session.expectPersisted(SessionEvent.RoutedBy.class).node());
    }

    @Test
    void aClientConnectedThroughADepartedNodeIsGoneWithItItsWillIsPublishedAndItsSessionTakenOver() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.will = new Will(message("status/gone", "offline", 1));
        session.openSubscribed(600, new Subscription("a/#", 1));

        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(testKit.createTestProbe(NodeGateway.Command.class).ref(),
                "adopter#1", Set.of(DEPARTED_NODE), replyTo.ref()));

        assertEquals("status/gone", session.published.receiveMessage().topic(), "lost without DISCONNECT");
        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertEquals(600, suspended.expirySeconds(), "the session expires as its client asked");
        assertEquals("adopter#1", session.expectPersisted(SessionEvent.RoutedBy.class).node());
        assertEquals(1, replyTo.receiveMessage().subscriptions().size(), "taken over while its client is away");
    }

    @Test
    void aConnectToASessionAttachedThroughANodeThatLeftTheClusterGoesOnWithoutATakeover() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.openSubscribed(NEVER, new Subscription("a/#", 1));
        session.node = new ClusterView(testKit.system()).selfId();

        Connected connected = session.connect(PERSISTENT_SESSION, 2); // without waiting for the takeover timeout

        assertTrue(connected.sessionPresent());
        assertEquals(List.of(new Subscription("a/#", 1)), connected.state().subscriptions());
        session.gateway.expectNoMessage(SHORT); // nothing to close: that connection went with its node
        session.expectPersisted(SessionSuspended.class);
        session.expectPersisted(SessionResumed.class); // attached through this node now
    }

    @Test
    void aSessionRecoveredAfterItsNodeAndItsConnectionsNodeWereLostPublishesTheWillAndExpiresAsAsked() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.will = new Will(message("status/lost", "offline", 1), 30, 0);
        session.openSubscribed(600, new Subscription("b/#", 1));

        session.restart(); // its own node lost: recovered elsewhere, knowing no connection
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(testKit.createTestProbe(NodeGateway.Command.class).ref(),
                "adopter#1", Set.of(DEPARTED_NODE), replyTo.ref()));

        SessionSuspended suspended = session.expectPersisted(SessionSuspended.class);
        assertEquals(600, suspended.expirySeconds());
        assertEquals("status/lost", suspended.delayedWill().message().topic(), "published after its delay");
        assertEquals("adopter#1", session.expectPersisted(SessionEvent.RoutedBy.class).node());
        assertEquals(1, replyTo.receiveMessage().subscriptions().size());
        session.published.expectNoMessage(SHORT);
    }

    @Test
    void aTakeoverFromANodeThatIsGonePublishesTheWillOfItsConnection() {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMinutes(1),
                Duration.ofMillis(200), Duration.ofSeconds(5)));
        session.node = DEPARTED_NODE;
        session.will = new Will(message("status/gone", "offline", 1));
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        session.node = new ClusterView(testKit.system()).selfId();
        session.will = null;

        TestProbe<Connected> successor = session.connectAsync(PERSISTENT_SESSION, 2);

        assertTrue(successor.receiveMessage(Duration.ofSeconds(3)).sessionPresent());
        assertEquals("status/gone", session.published.receiveMessage().topic(), "its node will never detach it");
    }

    @Test
    void aConnectWhoseConnectionGaveUpIsDroppedAndTheNextOneNeedNotWaitForIt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.expectPersisted(SessionOpened.class);
        TestProbe<Connected> gaveUp = session.connectAsync(PERSISTENT_SESSION, 2);
        assertEquals(new CloseConnection(1, DisconnectReason.SESSION_TAKEN_OVER), session.gateway.receiveMessage());
        session.entity.tell(new SessionCommand.ConnectAbandoned(new ConnectionRef(session.gateway.ref(), 2, session.node)));
        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPersisted(SessionSuspended.class);

        gaveUp.expectNoMessage(SHORT);
        Connected third = session.connect(PERSISTENT_SESSION, 3);
        assertTrue(third.sessionPresent());
        session.gateway.expectNoMessage(SHORT); // nobody to close: connection 2 never got the session
    }

    @Test
    void aConnectAnsweredAfterItsConnectionGaveUpLeavesTheSessionSuspended() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);

        session.entity.tell(new SessionCommand.ConnectAbandoned(new ConnectionRef(session.gateway.ref(), 1, session.node)));

        assertEquals(60, session.expectPersisted(SessionSuspended.class).expirySeconds());
        assertTrue(session.connect(PERSISTENT_SESSION, 2).sessionPresent());
        session.gateway.expectNoMessage(SHORT);
    }

    /**
     * After a node loss a CONNECT may time out just as the entity answers it. The node of that
     * connection never routed for the session: the node that did must keep routing for it, or its
     * messages would reach nobody until the client's next connect.
     */
    @Test
    void aConnectAnsweredAfterItsConnectionGaveUpLeavesTheSessionRoutedWhereItWas() {
        Session session = newSession(new SessionSettings(100, false, 1000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(300)));
        session.connect(RESUME, 60, 1);
        session.expectPersisted(SessionOpened.class);
        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPersisted(SessionSuspended.class); // offline, routed by the node of connection 1
        TestProbe<NodeGateway.Command> otherNode = testKit.createTestProbe();
        String routingNode = session.node;
        session.node = OTHER_NODE;
        ConnectionRef gaveUp = new ConnectionRef(otherNode.ref(), 2, OTHER_NODE);
        TestProbe<Connected> answeredTooLate = testKit.createTestProbe();

        session.entity.tell(new Connect(RESUME, 60, gaveUp, null, answeredTooLate.ref()));
        assertTrue(answeredTooLate.receiveMessage().sessionPresent());
        session.expectPersisted(SessionResumed.class);
        session.node = routingNode;
        session.entity.tell(new SessionCommand.ConnectAbandoned(gaveUp));
        session.expectPersisted(SessionSuspended.class);
        assertEquals(session.node, session.expectPersisted(SessionEvent.RoutedBy.class).node(),
                "journaled as routed where it was, for the next sweep");

        session.gateway.expectNoMessage(Duration.ofSeconds(1)); // no RetireRoute once the handover time is up
        ReceiptRef receipt = awaiting(new CompletableFuture<>());
        session.entity.tell(new SessionCommand.Deliver(PendingDelivery.queued(message("t", "queued", 1), 1, false),
                session.gateway.ref(), receipt));
        session.expectPersisted(MessageQueued.class); // queued: not passed on to the connection that gave up
        otherNode.expectNoMessage(SHORT);
    }

    /**
     * As in a node loss: the client's CONNECT reaches the session recovered elsewhere and is answered
     * too late, while the sweep asks about the session. Had the sweep taken it for connected, nobody
     * would route for it once the departed node's routes are forgotten; it waits, and takes it over.
     */
    @Test
    void aSweepWaitsForAConnectionToRouteAndTakesTheSessionOverIfItWasAnsweredTooLate() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.openSubscribed(600, new Subscription("a/#", 1));
        session.restart(); // its own node lost too: recovered elsewhere, knowing no connection

        session.node = new ClusterView(testKit.system()).selfId();
        ConnectionRef gaveUp = new ConnectionRef(testKit.createTestProbe(NodeGateway.Command.class).ref(), 2,
                session.node);
        TestProbe<Connected> answeredTooLate = testKit.createTestProbe();
        session.entity.tell(new Connect(RESUME, 600, gaveUp, null, answeredTooLate.ref()));
        assertTrue(answeredTooLate.receiveMessage().sessionPresent());
        session.expectPersisted(SessionSuspended.class); // the connection through the departed node is gone
        session.expectPersisted(SessionResumed.class);
        TestProbe<SessionCommand.Restored> swept = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(testKit.createTestProbe(NodeGateway.Command.class).ref(),
                "adopter#1", Set.of(DEPARTED_NODE), swept.ref()));
        swept.expectNoMessage(SHORT);

        session.entity.tell(new SessionCommand.ConnectAbandoned(gaveUp));

        assertEquals(List.of(new Subscription("a/#", 1)), swept.receiveMessage().subscriptions());
        session.expectPersisted(SessionSuspended.class);
        assertEquals(DEPARTED_NODE, session.expectPersisted(SessionEvent.RoutedBy.class).node());
        assertEquals("adopter#1", session.expectPersisted(SessionEvent.RoutedBy.class).node());
    }

    @Test
    void aSweepWaitingForAConnectionLeavesTheSessionToItOnceItsNodeRoutesForIt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.node = DEPARTED_NODE;
        session.openSubscribed(600, new Subscription("a/#", 1));
        session.restart();
        session.node = new ClusterView(testKit.system()).selfId();
        assertTrue(session.connect(RESUME, 600, 2).sessionPresent());
        session.expectPersisted(SessionSuspended.class);
        session.expectPersisted(SessionResumed.class);
        TestProbe<SessionCommand.Restored> swept = testKit.createTestProbe();
        session.entity.tell(new SessionCommand.Restore(testKit.createTestProbe(NodeGateway.Command.class).ref(),
                "adopter#1", Set.of(DEPARTED_NODE), swept.ref()));
        swept.expectNoMessage(SHORT);

        session.entity.tell(new SessionCommand.RouteTaken(new ConnectionRef(session.gateway.ref(), 2, session.node)));

        assertEquals(List.of(), swept.receiveMessage().subscriptions(), "routed by its connection's node");
        journal.expectNothingPersisted(session.persistenceId, SHORT);
    }

    /** A refused clean start still ended the old session: the route of its subscriptions goes. */
    @Test
    void aCleanStartAnsweredAfterItsConnectionGaveUpRetiresTheOldSessionsRoute() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.openSubscribed(60, new Subscription("a/#", 1));
        session.detach(1, NO_DELAYED_WILL, 60);
        session.expectPersisted(SessionSuspended.class);
        TestProbe<NodeGateway.Command> refusedNode = testKit.createTestProbe();
        ConnectionRef gaveUp = new ConnectionRef(refusedNode.ref(), 2, session.node);
        TestProbe<Connected> answeredTooLate = testKit.createTestProbe();

        session.entity.tell(new Connect(CLEAN_START, 60, gaveUp, null, answeredTooLate.ref()));
        assertFalse(answeredTooLate.receiveMessage().sessionPresent());
        session.entity.tell(new SessionCommand.ConnectAbandoned(gaveUp));

        assertEquals(new RetireRoute(session.clientId), session.gateway.receiveMessage());
        refusedNode.expectNoMessage(SHORT);
    }

    @Test
    void onlineSessionRestoresNothingItsConnectionRoutesForIt() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(PERSISTENT_SESSION, 1);
        session.entity.tell(new SessionCommand.RouteTaken(new ConnectionRef(session.gateway.ref(), 1, session.node)));
        session.subscribe(1, new Subscription("a/#", 1));
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();

        session.entity.tell(new SessionCommand.Restore(session.gateway.ref(), "other#1", Set.of(), replyTo.ref()));

        assertEquals(List.of(), replyTo.receiveMessage().subscriptions());
    }

    @Test
    void endedSessionRestoresNothing() {
        Session session = newSession(DEFAULT_SETTINGS);
        session.connect(CLEAN_SESSION, 1);
        session.subscribe(1, new Subscription("a/#", 1));
        session.detach(1, List.of(), Set.of(), NO_WILL);
        session.expectPassivationRequested();
        session.restart();
        TestProbe<SessionCommand.Restored> replyTo = testKit.createTestProbe();

        session.entity.tell(new SessionCommand.Restore(session.gateway.ref(), "other#1", Set.of(), replyTo.ref()));

        assertEquals(List.of(), replyTo.receiveMessage().subscriptions());
        session.expectPassivationRequested(Duration.ofSeconds(1), "an ended session woken by a sweep leaves at once");
    }

    private Session newSession(SessionSettings settings) {
        return new Session("client-" + testName, settings);
    }

    /**
     * One client id's entity and the probes standing in for its shard, publisher, connection gateway
     * (which is also the gateway of the node routing for the session) and its next incarnation.
     */
    private static final class Session {
        /** The node its client connects through (a member: this test's node), as the entity records it. */
        String node = new ClusterView(testKit.system()).selfId();
        /** The will its client connects with. */
        Will will;
        final String clientId;
        final String persistenceId;
        /** For the incarnations spawned from now on. */
        SessionSettings settings;
        final BrokerMetrics metrics = new BrokerMetrics();
        final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
        final TestProbe<Publication> published = testKit.createTestProbe();
        final TestProbe<NodeGateway.Command> gateway = testKit.createTestProbe();
        /** Where the entity acknowledges detaches. */
        final TestProbe<Done> detached = testKit.createTestProbe();
        final TestProbe<SessionCommand> nextIncarnation = testKit.createTestProbe();
        /** The session expiry each connection connected with, which an MQTT 3.1.1 connection also leaves with. */
        private final Map<Long, Long> connectExpiry = new ConcurrentHashMap<>();
        ActorRef<SessionCommand> entity;

        Session(String clientId, SessionSettings settings) {
            this.clientId = clientId;
            this.persistenceId = "session|" + clientId;
            this.settings = settings;
            nextIncarnations.put(clientId, nextIncarnation.ref());
            this.entity = spawnIncarnation();
        }

        private ActorRef<SessionCommand> spawnIncarnation() {
            EntityContext<SessionCommand> context = new EntityContext<>(SessionEntity.TYPE_KEY, clientId, shard.ref());
            Publisher publisher = (publication, receipt) -> {
                published.ref().tell(publication);
                return 1;
            };
            return testKit.spawn(SessionEntity.create(context,
                    new SessionEntity.Dependencies(settings, publisher, metrics)));
        }

        /** MQTT 3.1.1: clean session 1 is a clean start with expiry 0, clean session 0 never expires. */
        TestProbe<Connected> connectAsync(boolean cleanSession, long connectionId) {
            return connectAsync(cleanSession, cleanSession ? 0 : NEVER, connectionId);
        }

        Connected connect(boolean cleanSession, long connectionId) {
            return connectAsync(cleanSession, connectionId).receiveMessage();
        }

        /** MQTT 5. */
        TestProbe<Connected> connectAsync(boolean cleanStart, long expirySeconds, long connectionId) {
            TestProbe<Connected> replyTo = testKit.createTestProbe();
            connectExpiry.put(connectionId, expirySeconds);
            entity.tell(new Connect(cleanStart, expirySeconds, new ConnectionRef(gateway.ref(), connectionId, node),
                    will, replyTo.ref()));
            return replyTo;
        }

        Connected connect(boolean cleanStart, long expirySeconds, long connectionId) {
            return connectAsync(cleanStart, expirySeconds, connectionId).receiveMessage();
        }

        /** Connection 1 opens a new persistent session that expires {@code expirySeconds} after it, and subscribes. */
        void openSubscribed(long expirySeconds, Subscription... subscriptions) {
            connect(RESUME, expirySeconds, 1);
            expectPersisted(SessionOpened.class);
            subscribe(1, subscriptions);
            expectPersisted(Subscribed.class);
        }

        void subscribe(long connectionId, Subscription... subscriptions) {
            TestProbe<Done> replyTo = testKit.createTestProbe();
            entity.tell(new SessionCommand.Subscribe(connectionId, List.of(subscriptions), replyTo.ref()));
            replyTo.expectMessage(Done.getInstance());
        }

        void unsubscribe(long connectionId, String... filters) {
            TestProbe<Done> replyTo = testKit.createTestProbe();
            entity.tell(new SessionCommand.Unsubscribe(connectionId, List.of(filters), replyTo.ref()));
            replyTo.expectMessage(Done.getInstance());
        }

        /** As an MQTT 3.1.1 connection leaves: with the expiry it connected with and a will without delay. */
        void detach(long connectionId, List<PendingDelivery> pending, Set<Integer> awaitingRelease, Publication will) {
            detach(connectionId, pending, awaitingRelease, will == null ? null : new Will(will),
                    connectExpiry.getOrDefault(connectionId, NEVER));
        }

        /** As an MQTT 5 connection leaves: with the session expiry of its DISCONNECT (or its CONNECT). */
        void detach(long connectionId, List<PendingDelivery> pending, Set<Integer> awaitingRelease, Will will,
                    long expirySeconds) {
            entity.tell(new SessionCommand.Detach(connection(connectionId), pending, awaitingRelease, will, expirySeconds,
                    List.of(), detached.ref()));
        }

        /** A connection of this node (its gateway), as the entity knows it. */
        ConnectionRef connection(long connectionId) {
            return new ConnectionRef(gateway.ref(), connectionId, node);
        }

        /** Nothing unacknowledged. */
        void detach(long connectionId, Will will, long expirySeconds) {
            detach(connectionId, List.of(), Set.of(), will, expirySeconds);
        }

        void deliver(Publication publication, int qos) {
            deliver(PendingDelivery.queued(publication, qos, false));
        }

        void deliver(PendingDelivery delivery) {
            entity.tell(new SessionCommand.Deliver(delivery, gateway.ref(), null));
        }

        /**
         * Delivers as the node's offline subscriber does for a QoS 1/2 PUBLISH, and seals the receipt
         * as the publisher does. Completes with whether the message was stored (or dropped on purpose).
         */
        CompletableFuture<Boolean> deliverAwaitingStore(Publication publication, int qos) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            StorageReceipt receipt = new StorageReceipt(r -> outcome.complete(r.succeeded()));
            receipt.expectStore();
            entity.tell(new SessionCommand.Deliver(PendingDelivery.queued(publication, qos, false), gateway.ref(),
                    receipts.await(receipt)));
            if (receipt.seal()) {
                outcome.complete(receipt.succeeded());
            }
            return outcome;
        }

        /** A persistent session whose client has disconnected (connection 1, nothing unacknowledged). */
        void goOffline() {
            connect(PERSISTENT_SESSION, 1);
            expectPersisted(SessionOpened.class);
            detach(1, List.of(), Set.of(), NO_WILL);
            expectPersisted(SessionSuspended.class);
        }

        void expectPassivationRequested() {
            assertEquals(new ClusterSharding.Passivate<>(entity), shard.receiveMessage());
        }

        void expectPassivationRequested(Duration max, String otherwise) {
            ClusterSharding.ShardCommand command;
            try {
                command = shard.receiveMessage(max);
            } catch (AssertionError timeout) {
                throw new AssertionError("No Passivate within " + max + ": " + otherwise, timeout);
            }
            assertEquals(new ClusterSharding.Passivate<>(entity), command);
        }

        /** Stops this incarnation as sharding does and starts the next one for the same client id. */
        void restart() {
            stop();
            start();
        }

        /** Stops this incarnation as sharding does once it asked to passivate. */
        void stop() {
            TestProbe<Object> watcher = testKit.createTestProbe();
            entity.tell(SessionCommand.Stop.INSTANCE);
            watcher.expectTerminated(entity, Duration.ofSeconds(5));
        }

        /** Starts the next incarnation, as sharding does for a message to an entity not in memory. */
        void start() {
            entity = spawnIncarnation();
        }

        /** The wake-up a passivated session scheduled through sharding, which reached its next incarnation. */
        DeadlineDue expectWakeUp() {
            SessionCommand command = nextIncarnation.receiveMessage(Duration.ofSeconds(10));
            assertTrue(command instanceof DeadlineDue, "expected a DeadlineDue through sharding, got " + command);
            return (DeadlineDue) command;
        }

        /**
         * A persistent session opened or resumed is followed by the connection's node, will and
         * expiry, whose node must be {@link #node} and whose will {@link #will}.
         */
        <E extends SessionEvent> E expectPersisted(Class<E> type) {
            E event = journal.expectNextPersistedClass(persistenceId, type);
            if (event instanceof SessionOpened || event instanceof SessionResumed) {
                SessionEvent.Attached attached = journal.expectNextPersistedClass(persistenceId, SessionEvent.Attached.class);
                assertEquals(node, attached.node());
                assertEquals(will == null ? null : will.message().topic(),
                        attached.will() == null ? null : attached.will().message().topic());
            }
            return event;
        }

        /** For events without byte arrays, which compare by value after the journal's serialization. */
        void expectPersisted(SessionEvent event) {
            journal.expectNextPersisted(persistenceId, event);
        }
    }

    private static Publication message(String topic, String text, int qos) {
        return new Publication(topic, text.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    /** An MQTT 5 message of {@code publisher} that expires at {@code expiresAtMillis}. */
    private static Publication expiringMessage(String topic, String text, long expiresAtMillis) {
        MessageProperties properties = new MessageProperties(null, expiresAtMillis, null, null, null,
                List.of(new UserProperty("k", "v")));
        return new Publication(topic, text.getBytes(StandardCharsets.UTF_8), 1, false, properties, "publisher");
    }

    /** A will published after {@code delaySeconds} unless the session resumes first; its message does not expire. */
    private static Will will(String topic, long delaySeconds) {
        return new Will(message(topic, "offline", 1), delaySeconds, 0);
    }

    private static SessionSettings passivatingAfter(Duration passivateAfter) {
        return new SessionSettings(100, false, 1000, passivateAfter, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    /** A will without message expiry, published as it was given (by content: it went through the journal). */
    private static void assertPublishedAsIs(Will will, Publication published) {
        assertEquals(describe(List.of(PendingDelivery.queued(will.message(), 1, false))),
                describe(List.of(PendingDelivery.queued(published, 1, false))));
        assertEquals(will.message().properties(), published.properties());
    }

    /** Asserts that at least {@code millis} have passed since {@code startMillis}. */
    private static void assertNotBefore(long startMillis, long millis, String what) {
        long elapsed = System.currentTimeMillis() - startMillis;
        assertTrue(elapsed >= millis, what + " came " + elapsed + " ms after the detach, expected " + millis + " ms");
    }

    private static PendingDelivery inFlight(Publication publication, int qos, int packetId) {
        return PendingDelivery.queued(publication, qos, false).sentAs(packetId);
    }

    private static void assertQueued(MessageQueued event, Publication publication, int qos) {
        assertEquals(describe(List.of(PendingDelivery.queued(publication, qos, false))),
                describe(List.of(event.delivery())));
    }

    /**
     * Deliveries as comparable text: a publication's payload is an array, which records compare by
     * identity, and journaled or recovered messages are copies.
     */
    private static List<String> describe(List<PendingDelivery> deliveries) {
        return deliveries.stream().map(d -> d.publication().topic()
                + " '" + new String(d.publication().payload(), StandardCharsets.UTF_8) + "'"
                + " published qos" + d.publication().qos() + (d.publication().retain() ? " retained" : "")
                + " delivered qos" + d.qos() + (d.retain() ? " retain" : "")
                + (d.inFlight() ? " packet " + d.packetId() : " queued")
                + (d.released() ? " released" : "")).toList();
    }
}
