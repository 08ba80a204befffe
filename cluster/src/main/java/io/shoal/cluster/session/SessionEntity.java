package io.shoal.cluster.session;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.shoal.cluster.ClusterView;
import io.shoal.cluster.NodeGateway;
import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.cluster.session.SessionCommand.Connect;
import io.shoal.cluster.session.SessionCommand.Connected;
import io.shoal.cluster.session.SessionCommand.DeadlineDue;
import io.shoal.cluster.session.SessionCommand.ConnectionRef;
import io.shoal.cluster.session.SessionCommand.Deliver;
import io.shoal.cluster.session.SessionCommand.Detach;
import io.shoal.cluster.session.SessionCommand.FlushQueue;
import io.shoal.cluster.session.SessionCommand.Subscribe;
import io.shoal.cluster.session.SessionCommand.TakeoverTimedOut;
import io.shoal.cluster.session.SessionCommand.Unsubscribe;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.session.SessionData;
import io.shoal.persistence.session.SessionEvent;
import io.shoal.persistence.session.SessionSnapshotAdapter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The session of one client identifier, sharded across the cluster: the single writer for that client.
 *
 * <p>Every CONNECT goes through it, so it can close the previous connection before it accepts the
 * next (takeover). While the client is online, messages flow straight to its connection and the entity
 * only records subscription changes; while it is offline, messages come here and are journaled, those
 * that arrive together in one write, and each publisher's receipt settles once its message is. The
 * entity publishes the will when a connection ends abnormally, at once or after its delay, and ends
 * the session when its expiry interval has passed.
 *
 * <p>Sessions that outlive their connection (session expiry above 0; clean session 0 in MQTT 3.1.1)
 * are event-sourced; one that ends with its connection writes nothing unless it replaces a stored
 * one (one {@code SessionCleared}). A persistent session journals which connection attached
 * ({@code Attached}), so that an incarnation recovered elsewhere while its client stays connected
 * (the entity's node was lost, or sharding moved it) still knows that connection.
 */
public final class SessionEntity extends EventSourcedBehavior<SessionCommand, SessionEvent, SessionData> {

    public static final EntityTypeKey<SessionCommand> TYPE_KEY = EntityTypeKey.create(SessionCommand.class, "session");
    private static final Object DEADLINE_TIMER = "deadline";
    private static final Object ROUTE_HANDOVER_TIMER = "route-handover";
    private static final int RECENT_DETACHES = 4;
    /**
     * Longest single wait for a deadline: Akka's scheduler refuses delays beyond about 248 days, and
     * sessions may be kept for longer (up to 136 years); a deadline further away is waited for in steps.
     */
    private static final Duration LONGEST_WAIT = Duration.ofDays(30);

    /** What a session entity needs from its node. */
    public record Dependencies(SessionSettings settings, Publisher publisher, BrokerMetrics metrics) {
    }

    private final ActorContext<SessionCommand> context;
    private final TimerScheduler<SessionCommand> timers;
    private final EntityContext<SessionCommand> entity;
    private final Dependencies deps;

    // Transient: who is connected now. Not journaled.
    private ConnectionRef online;
    private boolean onlineTransient;
    private boolean onlineCleanStart;
    /** The session expiry and the will the connection asked for, for when it is lost without a word. */
    private long onlineExpiry;
    private Will onlineWill;
    /** The last connections whose detach was applied, to answer a detach sent again without applying it twice. */
    private final ArrayDeque<ConnectionRef> recentlyDetached = new ArrayDeque<>(RECENT_DETACHES);
    /** Connects whose connections gave up before they were answered: dropped when their turn comes. */
    private final Set<ConnectionRef> abandoned = new HashSet<>(2);
    /** The gateway of the node that routes messages to this session (where its client last connected). */
    private ActorRef<NodeGateway.Command> routesGateway;
    /**
     * The node that routed for the session before its client connected to another node: it keeps
     * routing here (messages are passed on to the client's node) until the other nodes have learnt
     * the new node's routes, then its route is retired.
     */
    private ActorRef<NodeGateway.Command> previousRoutes;
    /**
     * How the session was routed before the current connection connected, for if that connection
     * turns out to have given up before it was answered: the gateway (if known) and the journaled node.
     */
    private ActorRef<NodeGateway.Command> routesBeforeConnect;
    private String routedByBeforeConnect;
    private boolean connectResumed;
    /**
     * Whether the connection's node routes for the session yet (see {@link SessionCommand.RouteTaken});
     * a sweep waits for that, since a connection answered too late never will.
     */
    private boolean onlineRouted;
    private boolean sweepWaiting;
    private boolean takeoverRequested;
    private boolean passivating;
    /** Offline messages accepted and not yet journaled. */
    private final QueueBatch queued = new QueueBatch();
    /** A command other than Deliver waits for the batch to be journaled; Delivers after it wait too. */
    private boolean holding;

    private SessionEntity(EntityContext<SessionCommand> entity, ActorContext<SessionCommand> context,
                          TimerScheduler<SessionCommand> timers, Dependencies deps) {
        super(PersistenceId.of(TYPE_KEY.name(), entity.getEntityId()));
        this.entity = entity;
        this.context = context;
        this.timers = timers;
        this.deps = deps;
    }

    public static Behavior<SessionCommand> create(EntityContext<SessionCommand> entity, Dependencies deps) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new SessionEntity(entity, context, timers, deps)));
    }

    /** The client id of a session entity's persistence id, or empty for another entity's. */
    public static Optional<String> clientIdOf(String persistenceId) {
        String prefix = TYPE_KEY.name() + PersistenceId.DefaultSeparator();
        return persistenceId.startsWith(prefix) ? Optional.of(persistenceId.substring(prefix.length())) : Optional.empty();
    }

    @Override
    public SessionData emptyState() {
        return new SessionData();
    }

    /**
     * While offline messages wait to be journaled, every other command waits until they are, so that
     * commands take effect in the order they arrived.
     */
    @Override
    public CommandHandler<SessionCommand, SessionEvent, SessionData> commandHandler() {
        CommandHandler<SessionCommand, SessionEvent, SessionData> handlers = handlers();
        return (data, command) -> {
            if (queued.isEmpty() || command instanceof FlushQueue || command instanceof Deliver && !holding) {
                return handlers.apply(data, command);
            }
            holding = true;
            return Effect().stash();
        };
    }

    private CommandHandler<SessionCommand, SessionEvent, SessionData> handlers() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Connect.class, this::onConnect)
                .onCommand(SessionCommand.ConnectAbandoned.class, this::onConnectAbandoned)
                .onCommand(SessionCommand.RouteTaken.class, this::onRouteTaken)
                .onCommand(Subscribe.class, this::onSubscribe)
                .onCommand(Unsubscribe.class, this::onUnsubscribe)
                .onCommand(Detach.class, this::onDetach)
                .onCommand(SessionCommand.Journal.class, this::onJournal)
                .onCommand(Deliver.class, this::onDeliver)
                .onCommand(FlushQueue.class, this::onFlushQueue)
                .onCommand(TakeoverTimedOut.class, this::onTakeoverTimedOut)
                .onCommand(SessionCommand.Idle.class, this::onIdle)
                .onCommand(DeadlineDue.class, this::onDeadline)
                .onCommand(SessionCommand.Restore.class, this::onRestore)
                .onCommand(SessionCommand.RetirePreviousRoute.class, this::onRetirePreviousRoute)
                .onCommand(SessionCommand.Stop.class, stop -> Effect().stop())
                .build();
    }

    @Override
    public EventHandler<SessionData, SessionEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(SessionData::apply);
    }

    /**
     * A freshly loaded entity leaves memory again after {@code passivate-after} if nothing keeps
     * it, also when the message that woke it was dropped; a CONNECT cancels the timer. A deadline
     * that passed while it was out of memory is acted on now. An entity that stops with messages not yet
     * journaled (a failed write stops it) fails their receipts, so their publishers learn it at once.
     */
    @Override
    public SignalHandler<SessionData> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    resumeAttached(state);
                    timers.startSingleTimer(SessionCommand.Idle.INSTANCE, deps.settings().passivateAfter());
                    scheduleDeadline(state);
                })
                .onSignal(PostStop.instance(), state -> queued.abandon())
                .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(deps.settings().snapshotEvery(), 2).withDeleteEventsOnSnapshot();
    }

    /** The state is mutable; the snapshot store gets an immutable copy. */
    @Override
    public SnapshotAdapter<SessionData> snapshotAdapter() {
        return new SessionSnapshotAdapter();
    }

    private Effect<SessionEvent, SessionData> onConnect(SessionData data, Connect connect) {
        if (passivating) {
            // Sharding buffers messages for a passivating entity and hands them to its next
            // incarnation; a CONNECT that slipped in before must take the same way.
            ClusterSharding.get(context.getSystem()).entityRefFor(TYPE_KEY, entity.getEntityId()).tell(connect);
            return Effect().none();
        }
        if (abandoned.remove(connect.connection())) {
            return Effect().none(); // its client was refused meanwhile
        }
        if (online != null && !takeoverRequested && !new ClusterView(context.getSystem()).alive(online.node())) {
            // Attached (as the journal says) through a node that has left the cluster: that connection
            // went with it, without a word. This connect is taken once that is journaled.
            context.getLog().info("Client {} was connected through {}, which left the cluster", entity.getEntityId(),
                    online.node());
            return connectionLost(data, onlineWill, onlineExpiry, onlineTransient)
                    .thenRun(s -> context.getSelf().tell(connect)).thenUnstashAll();
        }
        if (online != null) {
            if (!takeoverRequested) {
                takeoverRequested = true;
                online.gateway().tell(new NodeGateway.CloseConnection(online.id(),
                        DisconnectReason.SESSION_TAKEN_OVER));
                timers.startSingleTimer(new TakeoverTimedOut(online.id()), deps.settings().takeoverTimeout());
            }
            return Effect().stash(); // answered once the current connection has detached
        }
        timers.cancelAll();
        online = connect.connection();
        onlineTransient = connect.expirySeconds() == 0;
        onlineCleanStart = connect.cleanStart();
        onlineExpiry = connect.expirySeconds();
        onlineWill = connect.will();
        onlineRouted = false;
        routesBeforeConnect = routesGateway;
        routedByBeforeConnect = data.routedBy();
        boolean handover = handOverRoutes(online.gateway());
        long now = System.currentTimeMillis();
        boolean resumes = data.exists() && !data.expired(now) && !connect.cleanStart();
        connectResumed = resumes;
        List<SessionEvent> events = new ArrayList<>(3);
        if (resumes) {
            // The state goes to the connection as it is now; a session that ends with this
            // connection is cleared at once, so that nothing of it outlives the connection.
            SessionState state = data.toState();
            // Resuming cancels a delayed will, unless its time had come (its timer was lost) [MQTT-3.1.3-9].
            Will dueWill = data.delayedWill() != null && now >= data.willAtMillis() ? data.delayedWill() : null;
            events.add(onlineTransient ? new SessionEvent.SessionCleared(now) : new SessionEvent.SessionResumed(now));
            if (!onlineTransient) {
                events.add(attached(connect));
            }
            return Effect().persist(events).thenRun(s -> {
                publishWill(dueWill);
                connect.replyTo().tell(new Connected(true, state, handover));
            });
        }
        // The previous session, if any, ends here, and with it the wait of its delayed will.
        Will endedWill = data.exists() ? data.delayedWill() : null;
        if (data.exists()) {
            events.add(new SessionEvent.SessionCleared(now));
        }
        if (!onlineTransient) {
            events.add(new SessionEvent.SessionOpened(now));
            events.add(attached(connect));
        }
        EffectBuilder<SessionEvent, SessionData> effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
        return effect.thenRun(s -> {
            publishWill(endedWill);
            connect.replyTo().tell(new Connected(false, SessionState.EMPTY, handover));
        });
    }

    /** The connection as a session recovered elsewhere needs it: to accept its detach, or to close it. */
    private SessionEvent attached(Connect connect) {
        return new SessionEvent.Attached(online.node(), connect.will(), connect.expirySeconds(),
                ActorRefResolver.get(context.getSystem()).toSerializationFormat(online.gateway()), online.id());
    }

    /**
     * Recovered while the journal has a connection attached (its previous incarnation stopped or was
     * lost while the client was connected): that connection is still the session's, until it
     * detaches, a takeover closes it, or a sweep finds its node gone.
     */
    private void resumeAttached(SessionData data) {
        if (!data.exists() || data.attachedExpirySeconds() == null || data.attachedGateway() == null
                || data.routedBy() == null) {
            return; // journaled before connections were (format version 2): a sweep decides
        }
        ActorRef<NodeGateway.Command> gateway = ActorRefResolver.get(context.getSystem())
                .resolveActorRef(data.attachedGateway());
        online = new ConnectionRef(gateway, data.attachedConnectionId(), data.routedBy());
        onlineTransient = false;
        onlineCleanStart = false;
        onlineExpiry = data.attachedExpirySeconds();
        onlineWill = data.attachedWill();
        onlineRouted = true;
        routesGateway = gateway;
    }

    private Effect<SessionEvent, SessionData> onSubscribe(SessionData data, Subscribe subscribe) {
        if (!isCurrentPersistent(subscribe.connectionId())) {
            return Effect().none().thenRun(s -> subscribe.replyTo().tell(Done.getInstance()));
        }
        return Effect().persist(new SessionEvent.Subscribed(subscribe.subscriptions()))
                .thenRun(s -> subscribe.replyTo().tell(Done.getInstance()));
    }

    private Effect<SessionEvent, SessionData> onUnsubscribe(SessionData data, Unsubscribe unsubscribe) {
        if (!isCurrentPersistent(unsubscribe.connectionId())) {
            return Effect().none().thenRun(s -> unsubscribe.replyTo().tell(Done.getInstance()));
        }
        return Effect().persist(new SessionEvent.Unsubscribed(unsubscribe.filters()))
                .thenRun(s -> unsubscribe.replyTo().tell(Done.getInstance()));
    }

    private Effect<SessionEvent, SessionData> onDetach(SessionData data, Detach detach) {
        Will will = detach.will();
        if (detachedRecently(detach.connection())) {
            return Effect().none().thenRun(s -> detach.replyTo().tell(Done.getInstance())); // sent again
        }
        if (online == null || !sameConnection(online, detach.connection())) {
            // A connection given up on after a takeover timeout: its state is stale. Its will is due
            // now if it has no delay or if the successor started a new session (the old one ended);
            // a successor that resumed the session cancels a delayed will. What it held is not kept,
            // so its publishers are told so (they send again).
            Will due = will != null && (will.delaySeconds() == 0 || onlineCleanStart) ? will : null;
            detach.receipts().forEach(ReceiptRef::failed);
            rememberDetached(detach.connection());
            return Effect().none().thenRun(s -> {
                publishWill(due);
                detach.replyTo().tell(Done.getInstance());
            });
        }
        boolean wasTransient = onlineTransient;
        rememberDetached(detach.connection());
        goOffline();
        long now = System.currentTimeMillis();
        if (wasTransient || detach.expirySeconds() == 0) {
            // The session ends with the connection, so the will is due now whatever its delay, and
            // nobody is left to keep messages for.
            detach.receipts().forEach(ReceiptRef::stored);
            EffectBuilder<SessionEvent, SessionData> effect = data.exists()
                    ? Effect().persist(new SessionEvent.SessionCleared(now)) : Effect().none();
            return effect.thenRun(s -> {
                publishWill(will);
                startIdleTimer(s);
            }).thenRun(s -> detach.replyTo().tell(Done.getInstance())).thenUnstashAll();
        }
        Will delayed = will != null && will.delaySeconds() > 0 ? will : null;
        Will immediate = delayed == null ? will : null;
        return Effect().persist(new SessionEvent.SessionSuspended(detach.pending(), detach.awaitingRelease(), now,
                        detach.expirySeconds(), delayed))
                .thenRun(s -> {
                    detach.receipts().forEach(ReceiptRef::stored);
                    publishWill(immediate);
                    scheduleDeadline(s);
                    startIdleTimer(s);
                }).thenRun(s -> detach.replyTo().tell(Done.getInstance())).thenUnstashAll();
    }

    /** Connection ids are per node: a connection is its node's gateway and its id there. */
    private static boolean sameConnection(ConnectionRef a, ConnectionRef b) {
        return a.id() == b.id() && a.gateway().equals(b.gateway());
    }

    private void rememberDetached(ConnectionRef connection) {
        if (recentlyDetached.size() == RECENT_DETACHES) {
            recentlyDetached.removeFirst();
        }
        recentlyDetached.addLast(connection);
    }

    private boolean detachedRecently(ConnectionRef connection) {
        for (ConnectionRef detached : recentlyDetached) {
            if (sameConnection(detached, connection)) {
                return true;
            }
        }
        return false;
    }

    /** Messages the online client is slow to acknowledge: journaled, so that their publishers can be acknowledged. */
    private Effect<SessionEvent, SessionData> onJournal(SessionData data, SessionCommand.Journal journal) {
        if (!isCurrentPersistent(journal.connectionId())) {
            // A connection given up on after a takeover timeout: its successor did not get these.
            journal.receipts().forEach(ReceiptRef::failed);
            return Effect().none();
        }
        List<SessionEvent> events = journal.replacesPending()
                ? List.of(new SessionEvent.PendingReplaced(journal.messages()))
                : journal.messages().stream().<SessionEvent>map(SessionEvent.MessageQueued::new).toList();
        return Effect().persist(events).thenRun(s -> journal.receipts().forEach(ReceiptRef::stored));
    }

    private Effect<SessionEvent, SessionData> onDeliver(SessionData data, Deliver deliver) {
        if (online != null && !deliver.routes().equals(online.gateway())) {
            // Routed by a node the client has left: on to the node it is connected to now, with the
            // publisher's receipt, which that node settles as for its own clients.
            online.gateway().tell(new NodeGateway.DeliverToClient(entity.getEntityId(), deliver.delivery(),
                    deliver.receipt()));
            retireIfStale(deliver.routes());
            return Effect().none();
        }
        if (online != null) {
            // The route turned to us because the connection is going; its Detach (with what it
            // still held) is on its way and must be applied first to keep the order.
            return Effect().stash();
        }
        if (routesGateway == null) {
            routesGateway = deliver.routes();
        } else {
            retireIfStale(deliver.routes());
        }
        long now = System.currentTimeMillis();
        if (deliver.receipt() != null && deliver.receipt().givenUp(now)) {
            // It waited too long (e.g. in sharding's buffer while this entity restarted after a
            // failed write): its publisher was told it was not stored and will send it again.
            deps.metrics().increment(Counter.DROPPED_ACK_GIVEN_UP);
            return dropped(deliver);
        }
        if (!data.exists()) {
            // The session ended but a node still routes to it (its retirement was lost): stop that.
            deliver.routes().tell(new NodeGateway.RetireRoute(entity.getEntityId()));
            return dropped(deliver);
        }
        if (data.expired(now)) {
            return dropped(deliver); // the deadline timer ends it and retires the route
        }
        PendingDelivery delivery = deliver.delivery();
        if (delivery.publication().expired(now)) {
            deps.metrics().increment(Counter.DROPPED_EXPIRED);
            return dropped(deliver);
        }
        if (delivery.qos() == 0 && !deps.settings().queueQos0Offline()) {
            deps.metrics().increment(Counter.DROPPED_QOS0_OFFLINE);
            return dropped(deliver);
        }
        if (data.pendingCount() + queued.size() >= deps.settings().maxQueued()) {
            deps.metrics().increment(Counter.DROPPED_OFFLINE_QUEUE_FULL);
            return dropped(deliver);
        }
        startIdleTimer(data);
        queued.add(delivery, deliver.receipt());
        if (queued.size() == 1) {
            // Behind the Delivers already in the mailbox, which join this batch.
            context.getSelf().tell(FlushQueue.INSTANCE);
        }
        return Effect().none();
    }

    /** Dropped on purpose (and counted): its publisher need not wait for it. */
    private Effect<SessionEvent, SessionData> dropped(Deliver deliver) {
        if (deliver.receipt() != null) {
            deliver.receipt().stored();
        }
        return Effect().none();
    }

    /** One write for every message queued since the last; what waited behind them follows. */
    private Effect<SessionEvent, SessionData> onFlushQueue(SessionData data, FlushQueue flush) {
        holding = false;
        return Effect().persist(queued.startWrite())
                .thenRun(s -> queued.written())
                .thenUnstashAll();
    }

    /**
     * A sweep: if nobody routes for this session any more, the sweeping node takes it over. Being woken
     * also arms its timers here, which matters when the node that kept them is gone.
     */
    private Effect<SessionEvent, SessionData> onRestore(SessionData data, SessionCommand.Restore restore) {
        ClusterView members = new ClusterView(context.getSystem());
        if (online != null) {
            if (members.alive(online.node()) && !restore.departed().contains(online.node())) {
                if (!onlineRouted && !onlineTransient) {
                    sweepWaiting = true; // until its node routes for it, or the connection turns out to have given up
                    return Effect().stash();
                }
                return answer(restore, List.of());
            }
            // Its connection went with its node, without a word. Once that is journaled, the sweep's
            // question is answered for the session as it is then.
            context.getLog().info("Client {} was connected through {}, which left the cluster", entity.getEntityId(),
                    online.node());
            return connectionLost(data, onlineWill, onlineExpiry, onlineTransient)
                    .thenRun(s -> context.getSelf().tell(restore)).thenUnstashAll();
        }
        String router = data.routedBy();
        boolean routerGone = router == null || restore.departed().contains(router) || !members.alive(router);
        if (data.exists() && data.attachedExpirySeconds() != null && routerGone) {
            // Journaled as attached through a node that is gone, and never detached: this entity was
            // recovered after its own node was lost too. The connection is gone the same way.
            context.getLog().info("Client {} was connected through {}, which left the cluster", entity.getEntityId(),
                    router);
            return connectionLost(data, data.attachedWill(), data.attachedExpirySeconds(), false)
                    .thenRun(s -> context.getSelf().tell(restore));
        }
        if (!data.exists() || data.expired(System.currentTimeMillis())) {
            // Every session that ever journaled is woken by a sweep; one that has ended leaves at once
            // (an expired one once its deadline, due now, has ended it).
            startIdleTimer(data);
            return answer(restore, List.of());
        }
        scheduleDeadline(data);
        startIdleTimer(data);
        List<Subscription> subscriptions = data.toState().subscriptions();
        if (restore.node().equals(router)) {
            // Routed by the sweeping node already: it routes the subscriptions again, which costs
            // nothing if it still does and is needed if an earlier answer to it was lost.
            routesGateway = restore.routes();
            return answer(restore, subscriptions);
        }
        if (!routerGone) {
            return answer(restore, List.of());
        }
        routesGateway = restore.routes();
        return Effect().persist(new SessionEvent.RoutedBy(restore.node()))
                .thenRun(s -> restore.replyTo().tell(new SessionCommand.Restored(subscriptions, true)))
                .thenUnstashAll();
    }

    /** Commands that waited for a connection lost with its node go on. */
    private Effect<SessionEvent, SessionData> answer(SessionCommand.Restore restore, List<Subscription> subscriptions) {
        return Effect().none().thenRun(s -> restore.replyTo().tell(new SessionCommand.Restored(subscriptions, false)))
                .thenUnstashAll();
    }

    /** The delayed will or the session's expiry may be due; either is acted on only while offline. */
    private Effect<SessionEvent, SessionData> onDeadline(SessionData data, DeadlineDue due) {
        if (routesGateway == null) {
            routesGateway = due.routes();
        }
        if (online != null) {
            return Effect().none();
        }
        if (!data.exists()) {
            // A wake-up for a session that has ended (maybe by a timer that did not know the routing
            // node): make sure that node's route went with it. Retiring a route twice is harmless.
            if (due.routes() != null) {
                due.routes().tell(new NodeGateway.RetireRoute(entity.getEntityId()));
            }
            return Effect().none();
        }
        long now = System.currentTimeMillis();
        if (data.expired(now)) {
            deps.metrics().increment(Counter.SESSIONS_EXPIRED);
            Will will = data.delayedWill(); // a will still waiting goes out when the session ends
            ActorRef<NodeGateway.Command> routes = routesGateway;
            return Effect().persist(new SessionEvent.SessionCleared(now)).thenRun(s -> {
                publishWill(will);
                if (routes != null) {
                    routes.tell(new NodeGateway.RetireRoute(entity.getEntityId()));
                }
                startIdleTimer(s);
            });
        }
        if (data.delayedWill() != null && now >= data.willAtMillis()) {
            Will will = data.delayedWill();
            return Effect().persist(new SessionEvent.WillPublished(now)).thenRun(s -> {
                publishWill(will);
                scheduleDeadline(s);
            });
        }
        scheduleDeadline(data);
        return Effect().none();
    }

    private Effect<SessionEvent, SessionData> onTakeoverTimedOut(SessionData data, TakeoverTimedOut timeout) {
        if (online == null || online.id() != timeout.connectionId()) {
            return Effect().none();
        }
        ClusterView members = new ClusterView(context.getSystem());
        boolean nodeGone = !members.alive(online.node());
        if (!nodeGone && members.unreachable(online.node())) {
            // Cut off, not gone: its client may still be served there. The cluster downs one side or
            // the other; until then the session stays with that connection (never active twice).
            timers.startSingleTimer(timeout, deps.settings().takeoverTimeout());
            return Effect().none();
        }
        context.getLog().warn("Connection {} of client {} did not hand its session back in {}; continuing without it",
                timeout.connectionId(), entity.getEntityId(), deps.settings().takeoverTimeout());
        // A connection on a node that is still there may yet detach, with its will; one whose node is
        // gone never will, so its will is due now.
        return connectionLost(data, nodeGone ? onlineWill : null, onlineExpiry, onlineTransient).thenUnstashAll();
    }

    private Effect<SessionEvent, SessionData> onConnectAbandoned(SessionData data, SessionCommand.ConnectAbandoned gaveUp) {
        if (!gaveUp.connection().equals(online)) {
            abandoned.add(gaveUp.connection()); // still waiting in the stash
            return Effect().none();
        }
        // Answered, but too late: its client was refused, and leaves no will. Its node never routed
        // for the session, so routing stays as it was before; a new session has nothing of the old
        // one to route. Should the node that routed before be gone, a sweep takes the session over.
        String routedBy = null;
        if (connectResumed) {
            undoRouteHandover();
            routedBy = routedByBeforeConnect;
        } else {
            retirePreviousRoute();
        }
        return connectionLost(data, null, onlineExpiry, onlineTransient, routedBy).thenUnstashAll();
    }

    private Effect<SessionEvent, SessionData> onRouteTaken(SessionData data, SessionCommand.RouteTaken taken) {
        if (!taken.connection().equals(online)) {
            return Effect().none(); // already gone
        }
        onlineRouted = true;
        if (sweepWaiting) {
            sweepWaiting = false;
            return Effect().none().thenUnstashAll();
        }
        return Effect().none();
    }

    /**
     * The connection ended without handing the session back (its node is gone, or it never got the
     * session): as a disconnect without DISCONNECT that held nothing. The session is suspended with
     * the {@code expiry} its client asked for (or ends, for a session that ends with its connection),
     * and {@code will}, if any, is published after its delay. The caller lets waiting connects go on.
     */
    private EffectBuilder<SessionEvent, SessionData> connectionLost(SessionData data, Will will, long expiry,
                                                                 boolean wasTransient) {
        return connectionLost(data, will, expiry, wasTransient, null);
    }

    /** ... and, if {@code routedBy} is not null, the session is journaled as routed by that node again. */
    private EffectBuilder<SessionEvent, SessionData> connectionLost(SessionData data, Will will, long expiry,
                                                                 boolean wasTransient, String routedBy) {
        goOffline();
        long now = System.currentTimeMillis();
        if (wasTransient || expiry == 0) {
            EffectBuilder<SessionEvent, SessionData> effect = data.exists()
                    ? Effect().persist(new SessionEvent.SessionCleared(now)) : Effect().none();
            return effect.thenRun(s -> {
                publishWill(will);
                startIdleTimer(s);
            });
        }
        Will delayed = will != null && will.delaySeconds() > 0 ? will : null;
        Will immediate = delayed == null ? will : null;
        SessionState state = data.toState();
        SessionEvent suspended = new SessionEvent.SessionSuspended(state.pending(), state.awaitingRelease(), now, expiry,
                delayed);
        return Effect().persist(routedBy == null ? List.of(suspended) : List.of(suspended, new SessionEvent.RoutedBy(routedBy)))
                .thenRun(s -> {
                    publishWill(immediate);
                    scheduleDeadline(s);
                    startIdleTimer(s);
                });
    }

    /**
     * Leaves memory when offline and quiet. A deadline still ahead is kept by the node's scheduler,
     * which wakes the session (a new incarnation, recovered from its journal) when it is due.
     */
    private Effect<SessionEvent, SessionData> onIdle(SessionData data, SessionCommand.Idle idle) {
        if (online == null && !passivating) {
            passivating = true;
            deps.metrics().increment(Counter.SESSIONS_UNLOADED);
            long due = nextDeadline(data);
            if (due != Long.MAX_VALUE) {
                EntityRef<SessionCommand> self = ClusterSharding.get(context.getSystem())
                        .entityRefFor(TYPE_KEY, entity.getEntityId());
                DeadlineDue wakeUp = new DeadlineDue(routesGateway);
                context.getSystem().scheduler().scheduleOnce(untilMillis(due), () -> self.tell(wakeUp),
                        context.getSystem().executionContext());
            }
            entity.getShard().tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
        return Effect().none();
    }

    /**
     * The client connected through {@code gateway}'s node; the node that routed before hands over.
     * True if another node goes on passing the client's messages on for a while.
     */
    private boolean handOverRoutes(ActorRef<NodeGateway.Command> gateway) {
        if (routesGateway != null && !routesGateway.equals(gateway) && !routesGateway.equals(previousRoutes)) {
            retirePreviousRoute();
            previousRoutes = routesGateway;
        }
        routesGateway = gateway;
        if (previousRoutes != null) {
            timers.startSingleTimer(ROUTE_HANDOVER_TIMER, SessionCommand.RetirePreviousRoute.INSTANCE,
                    deps.settings().routeHandover());
        }
        return previousRoutes != null && !previousRoutes.equals(gateway);
    }

    private Effect<SessionEvent, SessionData> onRetirePreviousRoute(SessionData data,
                                                                    SessionCommand.RetirePreviousRoute retire) {
        retirePreviousRoute();
        return Effect().none();
    }

    /** The connection's node never routed for the session: routing stays as it was before it connected. */
    private void undoRouteHandover() {
        timers.cancel(ROUTE_HANDOVER_TIMER);
        routesGateway = routesBeforeConnect; // if unknown, the routing node's next message tells
        previousRoutes = null;
    }

    private void retirePreviousRoute() {
        if (previousRoutes != null) {
            timers.cancel(ROUTE_HANDOVER_TIMER);
            if (!previousRoutes.equals(routesGateway)) {
                previousRoutes.tell(new NodeGateway.RetireRoute(entity.getEntityId()));
            }
            previousRoutes = null;
        }
    }

    /**
     * A node other than the one routing for the session (or handing over) still routes to it: its
     * route outlived a handover (e.g. the handover's timer died with a node). It is retired; what it
     * sent is still delivered, since the new route may not be known everywhere yet.
     */
    private void retireIfStale(ActorRef<NodeGateway.Command> routes) {
        if (!routes.equals(routesGateway) && !routes.equals(previousRoutes)) {
            routes.tell(new NodeGateway.RetireRoute(entity.getEntityId()));
        }
    }

    private boolean isCurrentPersistent(long connectionId) {
        return online != null && online.id() == connectionId && !onlineTransient;
    }

    private void goOffline() {
        online = null;
        sweepWaiting = false; // what waits is unstashed
        onlineWill = null;
        takeoverRequested = false;
        timers.cancelAll();
        // The new node's route has been in place since the connect; the old one would only duplicate it.
        retirePreviousRoute();
    }

    /** A session with nothing to keep leaves memory at once; an offline persistent one after a while. */
    private void startIdleTimer(SessionData data) {
        if (online == null) {
            timers.startSingleTimer(SessionCommand.Idle.INSTANCE,
                    data.exists() ? deps.settings().passivateAfter() : Duration.ZERO);
        }
    }

    /** Arms the timer for the next of the delayed will and the session's expiry, if any. */
    private void scheduleDeadline(SessionData data) {
        long due = nextDeadline(data);
        if (due != Long.MAX_VALUE) {
            timers.startSingleTimer(DEADLINE_TIMER, new DeadlineDue(routesGateway), untilMillis(due));
        }
    }

    private static long nextDeadline(SessionData data) {
        if (!data.exists()) {
            return Long.MAX_VALUE;
        }
        return data.delayedWill() == null ? data.expiresAtMillis()
                : Math.min(data.willAtMillis(), data.expiresAtMillis());
    }

    private static Duration untilMillis(long epochMillis) {
        long millis = Math.max(0, epochMillis - System.currentTimeMillis());
        return millis > LONGEST_WAIT.toMillis() ? LONGEST_WAIT : Duration.ofMillis(millis);
    }

    private void publishWill(Will will) {
        if (will != null) {
            deps.metrics().increment(Counter.WILLS_PUBLISHED);
            deps.publisher().publish(will.publishedAt(System.currentTimeMillis()));
        }
    }
}
