package io.shoal.cluster.session;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.pattern.AskTimeoutException;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.stream.javadsl.Source;
import io.shoal.cluster.ClusterView;
import io.shoal.cluster.NodeGateway;
import io.shoal.cluster.delivery.AwaitedReceipts;
import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.cluster.session.SessionCommand.ConnectionRef;
import io.shoal.node.MqttEdge;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.AttachedSession;
import io.shoal.node.session.ConnectionControl;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Will;
import io.shoal.node.session.SessionDirectory;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** The session directory on Cluster Sharding: one {@link SessionEntity} per client identifier. */
public final class ShardedSessionDirectory implements SessionDirectory {

    /**
     * Runs a callback on the thread that completes the stage. Akka's Java ask returns a
     * scala-java8-compat future that moves plain callbacks (thenApply, whenComplete) to the common
     * ForkJoinPool, which on a two-core machine starts a new thread per task; every callback here
     * names its executor instead.
     */
    private static final Executor DIRECT = Runnable::run;
    /** Sessions restored at once at start: bounds the entities recovering from the journal together. */
    private static final int RESTORE_PARALLELISM = 32;
    /**
     * A sweep's question to one session: short, since a lost one holds the sweep up (and with it the
     * refusals of publishes to the departed nodes' subscribers), and asked again.
     */
    private static final Duration RESTORE_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final int RESTORE_ATTEMPTS = 5;
    /** Each waits for the ask timeout: with the default 10 s, two minutes, enough for the entity to move. */
    private static final int DETACH_ATTEMPTS = 12;

    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final BrokerMetrics metrics;
    private final Map<Long, ConnectionControl> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final ActorRef<NodeGateway.Command> gateway;
    private final ActorSystem<?> system;
    private final SessionRoutes routes;
    private final AwaitedReceipts receipts;
    /** Passed-on messages can trail the handover itself a little; twice its length covers them. */
    private final Duration handoverWindow;
    /** This node's id in the cluster (address and incarnation). */
    private final String nodeId;

    private ShardedSessionDirectory(ActorSystem<?> system, SessionEntity.Dependencies deps, MqttEdge edge,
                                    AwaitedReceipts receipts) {
        this.system = system;
        this.routes = edge.routes();
        this.receipts = receipts;
        this.sharding = ClusterSharding.get(system);
        this.askTimeout = deps.settings().askTimeout();
        this.metrics = deps.metrics();
        this.handoverWindow = deps.settings().routeHandover().multipliedBy(2);
        this.nodeId = new ClusterView(system).selfId();
        this.gateway = system.systemActorOf(NodeGateway.create(new NodeGateway.Node(connections, routes, edge.router(),
                edge.retained(), edge.metrics(), handoverWindow)), "node-gateway", akka.actor.typed.Props.empty());
        sharding.init(Entity.of(SessionEntity.TYPE_KEY, ctx -> SessionEntity.create(ctx, deps))
                .withStopMessage(SessionCommand.Stop.INSTANCE));
    }

    /**
     * Starts the session entities' sharding on this node, and the node's gateway, through which
     * entities and other nodes reach {@code edge}'s connections and routes.
     *
     * @param receipts where publishers' receipts wait for offline sessions to store their messages
     */
    public static ShardedSessionDirectory start(ActorSystem<?> system, SessionEntity.Dependencies deps, MqttEdge edge,
                                                AwaitedReceipts receipts) {
        return new ShardedSessionDirectory(system, deps, edge, receipts);
    }

    @Override
    public CompletionStage<AttachedSession> connect(String clientId, boolean cleanStart, long expirySeconds, Will will,
                                                    ConnectionControl connection) {
        long id = connectionIds.incrementAndGet();
        connections.put(id, connection);
        EntityRef<SessionCommand> entity = sharding.entityRefFor(SessionEntity.TYPE_KEY, clientId);
        ConnectionRef ref = new ConnectionRef(gateway, id, nodeId);
        return entity.<SessionCommand.Connected>ask(
                        replyTo -> new SessionCommand.Connect(cleanStart, expirySeconds, ref, will, replyTo), askTimeout)
                .<AttachedSession>thenApplyAsync(connected -> new Attached(entity, ref, expirySeconds == 0, connected),
                        DIRECT)
                .whenCompleteAsync((attached, failure) -> {
                    if (failure != null) {
                        connections.remove(id);
                        entity.tell(new SessionCommand.ConnectAbandoned(ref));
                    }
                }, DIRECT);
    }

    /**
     * Takes over, on this node, every persistent session that nobody routes for: whose node left the
     * cluster (or is in {@code departed}), or that has not been routed since the cluster started. Its
     * subscriptions are routed to its session entity here, and every session re-arms its expiry and
     * will timers wherever it runs. Completes with how many sessions were swept and taken over.
     *
     * @param persistenceIds every persistence id in the journal (other entities' ids are skipped)
     */
    public CompletionStage<Swept> adoptOrphanedSessions(Source<String, NotUsed> persistenceIds, Set<String> departed) {
        return persistenceIds
                .map(SessionEntity::clientIdOf)
                .filter(Optional::isPresent)
                .mapAsyncUnordered(RESTORE_PARALLELISM, clientId -> adopt(clientId.get(), departed))
                .runFold(new Swept(0, 0), (sweep, routed) -> new Swept(sweep.sessions() + 1,
                        routed ? sweep.takenOver() + 1 : sweep.takenOver()), system);
    }

    /** Sessions asked, and of them those taken over by this node (routed here from now on). */
    public record Swept(int sessions, int takenOver) {
    }

    private CompletionStage<Boolean> adopt(String clientId, Set<String> departed) {
        return adopt(sharding.entityRefFor(SessionEntity.TYPE_KEY, clientId), departed, 1);
    }

    /**
     * Asks again when the answer does not come in time: right after a member removal, a region may
     * still send to the departed node's region, where the question is lost. Asking twice is harmless.
     */
    private CompletionStage<Boolean> adopt(EntityRef<SessionCommand> entity, Set<String> departed, int attempt) {
        return entity.<SessionCommand.Restored>ask(
                        replyTo -> new SessionCommand.Restore(gateway, nodeId, departed, replyTo), RESTORE_ATTEMPT_TIMEOUT)
                .thenApplyAsync(restored -> !restored.subscriptions().isEmpty()
                        && routes.restoreOffline(entity.getEntityId(), restored.subscriptions(), sessionSubscriber(entity))
                        && restored.takenOver(), DIRECT)
                .exceptionallyComposeAsync(failure -> attempt < RESTORE_ATTEMPTS && timedOut(failure)
                        ? adopt(entity, departed, attempt + 1)
                        : CompletableFuture.failedStage(failure), DIRECT);
    }

    private static boolean timedOut(Throwable failure) {
        return failure instanceof AskTimeoutException || failure.getCause() instanceof AskTimeoutException;
    }

    /** While offline, a persistent session's messages go to its entity, which journals them. */
    private Subscriber sessionSubscriber(EntityRef<SessionCommand> entity) {
        return (delivery, receipt) -> {
            ReceiptRef awaited = null;
            if (receipt != null) {
                receipt.expectStore();
                awaited = receipts.await(receipt);
            }
            entity.tell(new SessionCommand.Deliver(delivery, gateway, awaited));
        };
    }

    /** A session held by a connection of this node. */
    private final class Attached implements AttachedSession {
        private final EntityRef<SessionCommand> entity;
        private final ConnectionRef connection;
        private final boolean transientSession;
        private final SessionCommand.Connected connected;
        private final Subscriber offline;

        /** @param transientSession the session ends with the connection, so nothing is journaled */
        Attached(EntityRef<SessionCommand> entity, ConnectionRef connection, boolean transientSession,
                 SessionCommand.Connected connected) {
            this.entity = entity;
            this.connection = connection;
            this.transientSession = transientSession;
            this.connected = connected;
            this.offline = transientSession ? null : sessionSubscriber(entity);
        }

        @Override
        public boolean sessionPresent() {
            return connected.sessionPresent();
        }

        @Override
        public SessionState state() {
            return connected.state();
        }

        @Override
        public Duration handoverWindow() {
            return connected.handover() ? handoverWindow : Duration.ZERO;
        }

        /** Only a session that outlives its connection is routed while offline, and only it needs to know. */
        @Override
        public void routed() {
            if (!transientSession) {
                entity.tell(new SessionCommand.RouteTaken(connection));
            }
        }

        @Override
        public Subscriber offlineSubscriber() {
            return offline;
        }

        @Override
        public CompletionStage<Void> subscribed(List<Subscription> subscriptions) {
            if (transientSession || subscriptions.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return entity.<Done>ask(replyTo -> new SessionCommand.Subscribe(connection.id(), subscriptions, replyTo),
                    askTimeout).thenApplyAsync(done -> null, DIRECT);
        }

        @Override
        public CompletionStage<Void> unsubscribed(List<String> filters) {
            if (transientSession) {
                return CompletableFuture.completedFuture(null);
            }
            return entity.<Done>ask(replyTo -> new SessionCommand.Unsubscribe(connection.id(), filters, replyTo),
                    askTimeout).thenApplyAsync(done -> null, DIRECT);
        }

        @Override
        public void journal(List<PendingDelivery> unacknowledged, List<StorageReceipt> waiting, boolean replacesPending) {
            entity.tell(new SessionCommand.Journal(connection.id(), List.copyOf(unacknowledged), replacesPending,
                    awaiting(waiting)));
        }

        @Override
        public void detached(List<PendingDelivery> pending, Set<Integer> awaitingRelease, Will will,
                             long expirySeconds, DisconnectReason reason, List<StorageReceipt> waiting) {
            connections.remove(connection.id());
            List<PendingDelivery> held = List.copyOf(pending);
            Set<Integer> released = Set.copyOf(awaitingRelease);
            List<ReceiptRef> publishers = awaiting(waiting);
            sendDetach(replyTo -> new SessionCommand.Detach(connection, held, released, will, expirySeconds, publishers,
                    replyTo), 1);
        }

        /**
         * Until the entity answers: should its node die before it journaled the detach, the incarnation
         * recovered elsewhere gets it (and knows this connection from the journal).
         */
        private void sendDetach(akka.japi.function.Function<ActorRef<Done>, SessionCommand> detach, int attempt) {
            entity.<Done>ask(detach, askTimeout).whenCompleteAsync((done, failure) -> {
                if (failure == null) {
                    return;
                }
                if (attempt < DETACH_ATTEMPTS) {
                    sendDetach(detach, attempt + 1);
                    return;
                }
                metrics.increment(Counter.DETACHES_UNACKNOWLEDGED);
                system.log().warn("The session of client {} did not acknowledge the detach of its connection {} in {}"
                        + " attempts; it stays attached until the client connects again", entity.getEntityId(),
                        connection.id(), DETACH_ATTEMPTS);
            }, DIRECT);
        }

        /** The receipts as the entity, possibly on another node, answers them (each already expects its store). */
        private List<ReceiptRef> awaiting(List<StorageReceipt> waiting) {
            return waiting.stream().map(receipts::await).toList();
        }
    }
}
