package io.shoal.cluster.session;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.ddata.Flag;
import akka.cluster.ddata.FlagKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.cluster.typed.Subscribe;
import akka.stream.javadsl.Source;
import io.shoal.cluster.ClusterView;
import io.shoal.cluster.routing.RoutingTable;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Takes over the persistent sessions that nobody routes for any more. A node routes the messages of
 * the offline sessions whose clients last connected through it; when it leaves the cluster (crash,
 * downing, or a graceful leave), those sessions would miss every message published after that.
 *
 * <p>One sweeper runs in the cluster, as a cluster singleton on the oldest member. It sweeps every
 * persistent session when it starts (the cluster's first start, or after the member running it left)
 * and after every member removal: each session whose routing node is gone is taken over by the
 * sweeper's node, and every session's expiry and will timers are armed where it runs now. Then it
 * tells every node's routing table to forget the departed nodes' entries (until then, a publish they
 * match is refused rather than acknowledged and lost), and sets a Distributed Data flag that a
 * starting node waits for before it takes clients.
 */
public final class SessionAdoption {

    /** Set once a sweep has completed since the cluster formed. */
    static final Key<Flag> ADOPTED = FlagKey.create("shoal-sessions-adopted");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private SessionAdoption() {
    }

    interface Command {
    }

    private enum Sweep implements Command { INSTANCE }

    private record MemberRemoved(String nodeId) implements Command {
    }

    private record Swept(ShardedSessionDirectory.Swept result, Set<String> departed, long startedNanos,
                         Throwable failure) implements Command {
    }

    private record FlagWritten(Replicator.UpdateResponse<Flag> response) implements Command {
    }

    /**
     * Starts this node's part: the sweeper runs here while this is the oldest member.
     *
     * @param persistenceIds every persistence id in the journal, read anew for each sweep
     */
    public static void start(ActorSystem<?> system, ShardedSessionDirectory directory,
                             Supplier<Source<String, NotUsed>> persistenceIds, RoutingTable table) {
        ClusterSingleton.get(system).init(SingletonActor.of(
                Behaviors.supervise(sweeper(directory, persistenceIds, table)).onFailure(
                        SupervisorStrategy.restartWithBackoff(RETRY_AFTER, RETRY_AFTER.multipliedBy(6), 0.2)),
                "shoal-session-adoption"));
    }

    private static Behavior<Command> sweeper(ShardedSessionDirectory directory,
                                             Supplier<Source<String, NotUsed>> persistenceIds, RoutingTable table) {
        return Behaviors.setup(context -> DistributedData.<Command, Flag>withReplicatorMessageAdapter(flag -> {
            ActorRef<ClusterEvent.MemberRemoved> removals = context.messageAdapter(ClusterEvent.MemberRemoved.class,
                    removed -> new MemberRemoved(ClusterView.idOf(removed.member().uniqueAddress())));
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
            ClusterView members = new ClusterView(context.getSystem());
            Set<String> removed = new HashSet<>();
            boolean[] running = {false};
            boolean[] again = {false};
            context.getSelf().tell(Sweep.INSTANCE);
            return Behaviors.withTimers(timers -> Behaviors.receive(Command.class)
                    .onMessage(MemberRemoved.class, m -> {
                        removed.add(m.nodeId());
                        context.getSelf().tell(Sweep.INSTANCE);
                        return Behaviors.same();
                    })
                    .onMessageEquals(Sweep.INSTANCE, () -> {
                        if (running[0]) {
                            again[0] = true; // once this one is done: it may have missed the new departure
                            return Behaviors.same();
                        }
                        running[0] = true;
                        // Removals as the events told them (the cluster's state may not show them yet),
                        // and routing entries of nodes that are no members (removed before this sweeper began).
                        Set<String> departed = new HashSet<>(table.nodes());
                        departed.removeAll(members.aliveIds());
                        departed.addAll(removed);
                        long started = System.nanoTime();
                        context.pipeToSelf(directory.adoptOrphanedSessions(persistenceIds.get(), Set.copyOf(departed)),
                                (result, failure) -> new Swept(result, departed, started, failure));
                        return Behaviors.same();
                    })
                    .onMessage(Swept.class, swept -> {
                        running[0] = false;
                        if (swept.failure() != null) {
                            context.getLog().warn("Taking over the sessions of departed nodes failed ({}); retrying in {}",
                                    swept.failure().toString(), RETRY_AFTER);
                            timers.startSingleTimer(Sweep.INSTANCE, RETRY_AFTER);
                            return Behaviors.same();
                        }
                        context.getLog().info("Swept {} persistent sessions in {} ms, took over {} that nobody routed for;"
                                        + " departed nodes: {}", swept.result().sessions(),
                                Duration.ofNanos(System.nanoTime() - swept.startedNanos()).toMillis(),
                                swept.result().takenOver(), swept.departed());
                        if (!swept.departed().isEmpty()) {
                            table.forgetNodes(swept.departed());
                        }
                        removed.removeAll(swept.departed());
                        flag.askUpdate(replyTo -> new Replicator.Update<>(ADOPTED, Flag.create(), Replicator.writeLocal(),
                                replyTo, Flag::switchOn), FlagWritten::new);
                        if (again[0]) {
                            again[0] = false;
                            context.getSelf().tell(Sweep.INSTANCE);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(FlagWritten.class, written -> Behaviors.same())
                    .build());
        }));
    }

    /**
     * Completes once a sweep has completed since the cluster formed (at once on a node joining a
     * running cluster, as soon as the flag has reached it).
     */
    public static CompletionStage<Done> awaitAdopted(ActorSystem<?> system) {
        CompletableFuture<Done> adopted = new CompletableFuture<>();
        system.systemActorOf(Behaviors.<Replicator.SubscribeResponse<Flag>>setup(context -> {
            ActorRef<Replicator.Command> replicator = DistributedData.get(context.getSystem()).replicator();
            replicator.tell(new Replicator.Subscribe<>(ADOPTED, context.getSelf()));
            return Behaviors.receiveMessage(response -> {
                if (response instanceof Replicator.Changed<Flag> changed && changed.get(ADOPTED).enabled()) {
                    adopted.complete(Done.getInstance());
                    replicator.tell(new Replicator.Unsubscribe<>(ADOPTED, context.getSelf()));
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        }), "shoal-await-adoption", Props.empty());
        return adopted;
    }
}
