package io.shoal.cluster.session;

import akka.Done;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
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
import io.shoal.cluster.session.SessionCommand.Connect;
import io.shoal.cluster.session.SessionCommand.Connected;
import io.shoal.cluster.session.SessionCommand.ConnectionRef;
import io.shoal.cluster.session.SessionCommand.Deliver;
import io.shoal.cluster.session.SessionCommand.Detach;
import io.shoal.cluster.session.SessionCommand.Subscribe;
import io.shoal.cluster.session.SessionCommand.TakeoverTimedOut;
import io.shoal.cluster.session.SessionCommand.Unsubscribe;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.SessionState;
import io.shoal.persistence.session.SessionData;
import io.shoal.persistence.session.SessionEvent;
import io.shoal.persistence.session.SessionSnapshotAdapter;

/**
 * The session of one client identifier, sharded across the cluster: the single writer for that client.
 *
 * <p>Every CONNECT goes through it, so it can close the previous connection before it accepts the
 * next (takeover). While the client is online, messages flow straight to its connection and the entity
 * only records subscription changes; while it is offline, messages come here and are journaled. The
 * entity publishes the will when a connection ends abnormally.
 *
 * <p>Persistent sessions (clean session 0) are event-sourced; a clean session writes nothing unless it
 * replaces a persistent one (one {@code SessionCleared}). Which connection is attached is deliberately
 * not journaled: after a crash there is none.
 */
public final class SessionEntity extends EventSourcedBehavior<SessionCommand, SessionEvent, SessionData> {

    public static final EntityTypeKey<SessionCommand> TYPE_KEY = EntityTypeKey.create(SessionCommand.class, "session");

    /** What a session entity needs from its node. */
    public record Dependencies(SessionSettings settings, Publisher publisher, BrokerMetrics metrics) {
    }

    private final ActorContext<SessionCommand> context;
    private final TimerScheduler<SessionCommand> timers;
    private final EntityContext<SessionCommand> entity;
    private final Dependencies deps;

    // Transient: who is connected now. Not journaled.
    private ConnectionRef online;
    private boolean onlineClean;
    private boolean takeoverRequested;
    private boolean passivating;

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

    @Override
    public SessionData emptyState() {
        return new SessionData();
    }

    @Override
    public CommandHandler<SessionCommand, SessionEvent, SessionData> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Connect.class, this::onConnect)
                .onCommand(Subscribe.class, this::onSubscribe)
                .onCommand(Unsubscribe.class, this::onUnsubscribe)
                .onCommand(Detach.class, this::onDetach)
                .onCommand(Deliver.class, this::onDeliver)
                .onCommand(TakeoverTimedOut.class, this::onTakeoverTimedOut)
                .onCommand(SessionCommand.Idle.class, this::onIdle)
                .onCommand(SessionCommand.Stop.class, stop -> Effect().stop())
                .build();
    }

    @Override
    public EventHandler<SessionData, SessionEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(SessionData::apply);
    }

    /**
     * A freshly loaded entity leaves memory again after {@code passivate-after} if nothing keeps
     * it, also when the message that woke it was dropped; a CONNECT cancels the timer.
     */
    @Override
    public SignalHandler<SessionData> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state ->
                        timers.startSingleTimer(SessionCommand.Idle.INSTANCE, deps.settings().passivateAfter()))
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
        if (online != null) {
            if (!takeoverRequested) {
                takeoverRequested = true;
                online.gateway().tell(new ConnectionGateway.CloseConnection(online.id(),
                        DisconnectReason.SESSION_TAKEN_OVER));
                timers.startSingleTimer(new TakeoverTimedOut(online.id()), deps.settings().takeoverTimeout());
            }
            return Effect().stash(); // answered once the current connection has detached
        }
        timers.cancel(SessionCommand.Idle.INSTANCE);
        online = connect.connection();
        onlineClean = connect.cleanSession();
        if (connect.cleanSession()) {
            EffectBuilder<SessionEvent, SessionData> effect = data.exists()
                    ? Effect().persist(new SessionEvent.SessionCleared(System.currentTimeMillis()))
                    : Effect().none();
            return effect.thenRun(s -> connect.replyTo().tell(new Connected(false, SessionState.EMPTY)));
        }
        if (data.exists()) {
            return Effect().none().thenRun(s -> connect.replyTo().tell(new Connected(true, s.toState())));
        }
        return Effect().persist(new SessionEvent.SessionOpened(System.currentTimeMillis()))
                .thenRun(s -> connect.replyTo().tell(new Connected(false, SessionState.EMPTY)));
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
        if (online == null || online.id() != detach.connectionId()) {
            // A connection given up on after a takeover timeout: its state is stale, its will is not.
            return Effect().none().thenRun(s -> publishWill(detach.will()));
        }
        boolean clean = onlineClean;
        goOffline();
        EffectBuilder<SessionEvent, SessionData> effect = clean
                ? Effect().none()
                : Effect().persist(new SessionEvent.SessionSuspended(detach.pending(), detach.awaitingRelease()));
        return effect.thenRun(s -> publishWill(detach.will())).thenRun(s -> startIdleTimer(s)).thenUnstashAll();
    }

    private Effect<SessionEvent, SessionData> onDeliver(SessionData data, Deliver deliver) {
        if (online != null) {
            // The route turned to us because the connection is going; its Detach (with what it
            // still held) is on its way and must be applied first to keep the order.
            return Effect().stash();
        }
        if (!data.exists()) {
            return Effect().none();
        }
        if (deliver.qos() == 0 && !deps.settings().queueQos0Offline()) {
            deps.metrics().increment(Counter.DROPPED_QOS0_OFFLINE);
            return Effect().none();
        }
        if (data.pendingCount() >= deps.settings().maxQueued()) {
            deps.metrics().increment(Counter.DROPPED_OFFLINE_QUEUE_FULL);
            return Effect().none();
        }
        startIdleTimer(data);
        return Effect().persist(new SessionEvent.MessageQueued(
                PendingDelivery.queued(deliver.publication(), deliver.qos(), false)));
    }

    private Effect<SessionEvent, SessionData> onTakeoverTimedOut(SessionData data, TakeoverTimedOut timeout) {
        if (online == null || online.id() != timeout.connectionId()) {
            return Effect().none();
        }
        context.getLog().warn("Connection {} of client {} did not hand its session back in {}; continuing without it",
                timeout.connectionId(), entity.getEntityId(), deps.settings().takeoverTimeout());
        goOffline();
        return Effect().none().thenUnstashAll();
    }

    private Effect<SessionEvent, SessionData> onIdle(SessionData data, SessionCommand.Idle idle) {
        if (online == null && !passivating) {
            passivating = true;
            deps.metrics().increment(Counter.SESSIONS_UNLOADED);
            entity.getShard().tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
        return Effect().none();
    }

    private boolean isCurrentPersistent(long connectionId) {
        return online != null && online.id() == connectionId && !onlineClean;
    }

    private void goOffline() {
        online = null;
        takeoverRequested = false;
        timers.cancelAll();
    }

    /** A session with nothing to keep leaves memory at once; an offline persistent one after a while. */
    private void startIdleTimer(SessionData data) {
        if (online == null) {
            timers.startSingleTimer(SessionCommand.Idle.INSTANCE,
                    data.exists() ? deps.settings().passivateAfter() : java.time.Duration.ZERO);
        }
    }

    private void publishWill(Publication will) {
        if (will != null) {
            deps.metrics().increment(Counter.WILLS_PUBLISHED);
            deps.publisher().publish(will);
        }
    }
}
