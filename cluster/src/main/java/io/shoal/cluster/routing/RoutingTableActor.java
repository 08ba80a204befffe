package io.shoal.cluster.routing;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ClusterEvent;
import akka.cluster.ddata.ORMultiMap;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import io.shoal.cluster.ClusterView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The one writer of this node's routing table entries and of its {@link RouteView}.
 *
 * <p>Each bucket is an {@code ORMultiMap<node id, filter>}: one key per node, holding that node's
 * filters of the bucket as an ORSet. Keyed by node rather than by filter so that every key has a
 * single writer (its node, or after it departed the survivors, who only remove it). An ORMap whose
 * key is removed by one node while another updates it concurrently keeps the update and can bring
 * back values the remover had removed (seen with filter keys: a node's last unsubscribe emptied
 * and removed a filter's key while another node subscribed to it, and the first node's id came
 * back). With one writer per key there is no such race; concurrent writes of different nodes touch
 * different keys, which an ORMap merges exactly. The map is created with value deltas, so a change
 * to one node's filters travels as a small delta of its ORSet, not as the bucket's full state.
 */
final class RoutingTableActor extends AbstractBehavior<RoutingTableActor.Command> {

    interface Command {
    }

    /** This node's local count for the filter went 0 -> 1. */
    record AddOwn(String filter) implements Command {
    }

    /** This node's local count for the filter went 1 -> 0. */
    record RemoveOwn(String filter) implements Command {
    }

    /** The sessions these nodes routed for are taken over: their entries go, everywhere. */
    record ForgetNodes(Set<String> nodeIds) implements Command {
    }

    private record BucketChanged(Replicator.SubscribeResponse<ORMultiMap<String, String>> response) implements Command {
    }

    private record WriteDone(Replicator.UpdateResponse<ORMultiMap<String, String>> response) implements Command {
    }

    /** Every node's state of a bucket was read into this node's replica (or the read failed). */
    private record CaughtUp(Replicator.GetResponse<ORMultiMap<String, String>> response) implements Command {
    }

    private record RetryCatchUp(int bucket) implements Command {
    }

    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {
    }

    /** The nodes whose entries are removed wherever they show up, as {@link DepartedNodes} last heard. */
    record DepartedChanged(Set<String> nodeIds) implements Command {
    }

    /** A change to one bucket, and its estimated size as a delta. */
    private record Change(UnaryOperator<ORMultiMap<String, String>> modify, long deltaBytes) {
    }

    /** Departed nodes to record once the updates that carry this node's earlier writes are answered. */
    private record ForgetAfterWrites(Set<String> nodeIds, Map<Integer, Long> updates) {
    }

    /**
     * How long reading a bucket from every node may take before it is tried again, a retry later
     * (until then the departed nodes' entries in it stay). A node that does not answer keeps them.
     */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CATCH_UP_RETRY = Duration.ofSeconds(1);
    /** All buckets may fail together: one warning for so many failures. */
    private static final int CATCH_UP_FAILURES_PER_WARNING = 256;

    static Behavior<Command> create(RoutingSettings settings, LocalFilterCounts local, RouteView view,
                                    RoutingCounters counters) {
        return Behaviors.setup(context -> DistributedData.<Command, ORMultiMap<String, String>>withReplicatorMessageAdapter(
                replicator -> new RoutingTableActor(context, replicator, settings, local, view, counters)));
    }

    private final ReplicatorMessageAdapter<Command, ORMultiMap<String, String>> replicator;
    private final ActorRef<DepartedNodes.Command> departedNodes;
    /**
     * Updates are told, not asked: an ask that the Replicator answers later than the adapter's
     * unexpected-ask timeout (20 s) throws in this actor and stops it, and a Replicator working
     * through a million route writes answered that late.
     */
    private final ActorRef<Replicator.Command> replicatorRef;
    private final ActorRef<Replicator.UpdateResponse<ORMultiMap<String, String>>> writeReplies;
    private final ActorRef<Replicator.GetResponse<ORMultiMap<String, String>>> readReplies;
    private final RouteBuckets buckets;
    private final BucketWrites<Change> pending;
    private final DeltaBudget deltaBudget;
    private final Replicator.WriteConsistency writeConsistency;
    private final LocalFilterCounts local;
    private final RouteView view;
    private final RoutingCounters counters;
    private final SelfUniqueAddress self;
    private final String selfId;
    /** The state of each bucket last applied to the view; shared with the Replicator's, so no copy. */
    private final ORMultiMap<String, String>[] applied;
    /** Ids of departed nodes (see {@link DepartedNodes}) as this node has heard of them. */
    private Set<String> departed = Set.of();
    /** Buckets being read from every node before departed nodes' entries are removed from them. */
    private final boolean[] catchingUp;
    private final List<ForgetAfterWrites> forgetsAfterWrites = new ArrayList<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private RoutingTableActor(ActorContext<Command> context,
                              ReplicatorMessageAdapter<Command, ORMultiMap<String, String>> replicator,
                              RoutingSettings settings, LocalFilterCounts local, RouteView view,
                              RoutingCounters counters) {
        super(context);
        this.replicator = replicator;
        // Its own actor: an actor has one replicator adapter per data type, and buckets are another type.
        this.departedNodes = context.spawn(DepartedNodes.create(context.getSelf()), "departed-nodes");
        this.replicatorRef = DistributedData.get(context.getSystem()).replicator();
        this.writeReplies = (ActorRef) context.messageAdapter(Replicator.UpdateResponse.class,
                response -> new WriteDone((Replicator.UpdateResponse<ORMultiMap<String, String>>) response));
        this.readReplies = (ActorRef) context.messageAdapter(Replicator.GetResponse.class,
                response -> new CaughtUp((Replicator.GetResponse<ORMultiMap<String, String>>) response));
        this.buckets = new RouteBuckets(settings.buckets());
        this.pending = new BucketWrites<>(buckets.count());
        Config config = context.getSystem().settings().config();
        this.deltaBudget = new DeltaBudget(config.getBytes("akka.remote.artery.advanced.maximum-frame-size"),
                config.getDuration("akka.cluster.distributed-data.gossip-interval"), System::nanoTime);
        this.writeConsistency = settings.writeMode() == RoutingSettings.WriteMode.MAJORITY
                ? new Replicator.WriteMajority(settings.writeTimeout())
                : Replicator.writeLocal();
        this.local = local;
        this.view = view;
        this.counters = counters;
        this.self = DistributedData.get(context.getSystem()).selfUniqueAddress();
        this.selfId = ClusterView.idOf(self.uniqueAddress());
        this.applied = new ORMultiMap[buckets.count()];
        this.catchingUp = new boolean[buckets.count()];
        for (int b = 0; b < buckets.count(); b++) {
            applied[b] = ORMultiMap.emptyWithValueDeltas();
            replicator.subscribe(buckets.key(b), BucketChanged::new);
        }
        ActorRef<ClusterEvent.MemberEvent> members =
                context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new);
        Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AddOwn.class, add -> write(buckets.bucketOf(add.filter()), new Change(
                        map -> map.addBindingBy(selfId, add.filter(), self), DeltaBudget.bytesOf(add.filter()))))
                .onMessage(RemoveOwn.class, remove -> write(buckets.bucketOf(remove.filter()), new Change(
                        map -> map.removeBindingBy(selfId, remove.filter(), self), DeltaBudget.bytesOf(remove.filter()))))
                .onMessage(BucketChanged.class, this::onBucketChanged)
                .onMessage(WriteDone.class, this::onWriteDone)
                .onMessage(MembershipChanged.class, this::onMembershipChanged)
                .onMessage(ForgetNodes.class, this::onForgetNodes)
                .onMessage(DepartedChanged.class, this::onDepartedChanged)
                .onMessage(CaughtUp.class, this::onCaughtUp)
                .onMessage(RetryCatchUp.class, retry -> {
                    catchUpIfDeparted(retry.bucket());
                    return this;
                })
                .build();
    }

    /** Writes the change now if the bucket has no update in flight, else with the bucket's next update. */
    private Behavior<Command> write(int bucket, Change change) {
        counters.writes.incrementAndGet();
        pending.add(bucket, change);
        flush(bucket);
        return this;
    }

    /** Sends the bucket's waiting changes as one update; beyond the delta budget, for gossip to spread. */
    private void flush(int bucket) {
        List<Change> changes = pending.next(bucket);
        if (changes.isEmpty()) {
            return;
        }
        counters.updates.incrementAndGet();
        boolean asDelta = deltaBudget.tryTake(changes.stream().mapToLong(Change::deltaBytes).sum());
        if (!asDelta) {
            counters.updatesWithoutDelta.incrementAndGet();
        }
        replicatorRef.tell(new Replicator.Update<>(buckets.key(bucket), ORMultiMap.emptyWithValueDeltas(),
                writeConsistency, writeReplies, map -> {
                    ORMultiMap<String, String> result = map;
                    for (Change change : changes) {
                        result = change.modify().apply(result);
                    }
                    return asDelta ? result : result.resetDelta();
                }));
    }

    private Behavior<Command> onBucketChanged(BucketChanged message) {
        if (!(message.response() instanceof Replicator.Changed<ORMultiMap<String, String>> changed)) {
            return this; // Deleted: the table never deletes its keys.
        }
        int bucket = buckets.bucketOf(changed.key());
        ORMultiMap<String, String> after = changed.dataValue();
        List<String> ownMissing = new ArrayList<>();
        Set<String> departedFound = new HashSet<>();
        view.apply(bucket, applied[bucket].getEntries(), after.getEntries(),
                (filter, node) -> {
                    if (departed.contains(node)) {
                        departedFound.add(node); // arrived by gossip after its node left
                    }
                },
                (filter, node) -> {
                    if (node.equals(selfId) && local.holds(filter)) {
                        ownMissing.add(filter); // removed by others, or held again since our removal
                    }
                });
        applied[bucket] = after;
        if (!ownMissing.isEmpty()) {
            counters.ownEntriesRestored.addAndGet(ownMissing.size());
            write(bucket, addOwn(ownMissing));
        }
        if (!departedFound.isEmpty()) {
            catchUp(bucket);
        }
        return this;
    }

    private Behavior<Command> onWriteDone(WriteDone done) {
        Replicator.UpdateResponse<ORMultiMap<String, String>> response = done.response();
        int bucket = buckets.bucketOf(response.key());
        pending.answered(bucket);
        flush(bucket);
        forgetsAfterWrites.removeIf(forget -> {
            forget.updates().entrySet().removeIf(update -> pending.isAnswered(update.getKey(), update.getValue()));
            if (forget.updates().isEmpty()) {
                departedNodes.tell(new DepartedNodes.Add(forget.nodeIds()));
                return true;
            }
            return false;
        });
        if (response instanceof Replicator.UpdateTimeout) {
            counters.writeTimeouts.incrementAndGet();
        } else if (!(response instanceof Replicator.UpdateSuccess)) {
            counters.writeFailures.incrementAndGet();
            getContext().getLog().warn("Routing table write failed: {}", response);
        }
        return this;
    }

    private Behavior<Command> onMembershipChanged(MembershipChanged message) {
        ClusterEvent.MemberEvent event = message.event();
        if (event instanceof ClusterEvent.MemberUp && event.member().uniqueAddress().equals(self.uniqueAddress())) {
            reRegisterAll();
        }
        return this;
    }

    /**
     * Recorded in Distributed Data, so that every node removes these nodes' entries, also those that
     * gossip brings later. A departed node's entries stay until then: a publish they match is refused
     * rather than acknowledged and lost while its sessions have nobody routing for them. Recorded
     * once this node's own writes so far are in its replica, where the other nodes read them (see
     * {@link #catchUp}): the routes of the sessions it took over are among them.
     */
    private Behavior<Command> onForgetNodes(ForgetNodes forget) {
        Map<Integer, Long> updates = new HashMap<>();
        for (int b = 0; b < buckets.count(); b++) {
            long last = pending.lastUpdate(b);
            if (!pending.isAnswered(b, last)) {
                updates.put(b, last);
            }
        }
        if (updates.isEmpty()) {
            departedNodes.tell(new DepartedNodes.Add(forget.nodeIds()));
        } else {
            forgetsAfterWrites.add(new ForgetAfterWrites(forget.nodeIds(), updates));
        }
        return this;
    }

    private Behavior<Command> onDepartedChanged(DepartedChanged message) {
        departed = message.nodeIds();
        for (int b = 0; b < buckets.count(); b++) {
            catchUpIfDeparted(b);
        }
        return this;
    }

    private void catchUpIfDeparted(int bucket) {
        for (String id : departed) {
            if (applied[bucket].contains(id)) {
                catchUp(bucket);
                return;
            }
        }
    }

    /**
     * Reads the bucket from every node before removing departed nodes' entries from it. Their
     * sessions' routes now come from other nodes, written before the departure was recorded but
     * maybe not here yet (without a delta, gossip takes seconds to bring a bucket); removing first
     * would leave those sessions' filters matching no node here meanwhile, and a publish would be
     * acknowledged and reach nobody. The read merges them into this node's replica, which the removal
     * then changes, so this node's view gets both at once.
     */
    private void catchUp(int bucket) {
        if (catchingUp[bucket]) {
            return; // its removal takes every departed node present by then
        }
        catchingUp[bucket] = true;
        replicatorRef.tell(new Replicator.Get<>(buckets.key(bucket), new Replicator.ReadAll(CATCH_UP_TIMEOUT),
                readReplies));
    }

    private Behavior<Command> onCaughtUp(CaughtUp message) {
        int bucket = buckets.bucketOf(message.response().key());
        catchingUp[bucket] = false;
        if (message.response() instanceof Replicator.GetFailure) {
            if (counters.catchUpsFailed.getAndIncrement() % CATCH_UP_FAILURES_PER_WARNING == 0) {
                getContext().getLog().warn("Reading routing table bucket {} from every node timed out ({} times so far):"
                                + " departed nodes' entries stay until it succeeds, and publishes they match are refused",
                        bucket, counters.catchUpsFailed.get());
            }
            getContext().scheduleOnce(CATCH_UP_RETRY, getContext().getSelf(), new RetryCatchUp(bucket));
        } else {
            removeDeparted(bucket, departed);
        }
        return this;
    }

    /** On joining: whatever this node wrote before, or lost, is written again (adds are idempotent). */
    private void reRegisterAll() {
        Map<Integer, List<String>> byBucket = new HashMap<>();
        for (String filter : local.filters()) {
            byBucket.computeIfAbsent(buckets.bucketOf(filter), b -> new ArrayList<>()).add(filter);
        }
        byBucket.forEach((bucket, filters) -> write(bucket, addOwn(filters)));
    }

    private Change addOwn(List<String> filters) {
        return new Change(map -> {
            ORMultiMap<String, String> result = map;
            for (String filter : filters) {
                result = result.addBindingBy(selfId, filter, self);
            }
            return result;
        }, filters.stream().mapToLong(DeltaBudget::bytesOf).sum());
    }

    /** Removes the departed nodes' keys from the bucket's current state (which may be newer than the view's). */
    private void removeDeparted(int bucket, Collection<String> nodeIds) {
        Set<String> ids = Set.copyOf(nodeIds);
        write(bucket, new Change(map -> {
            ORMultiMap<String, String> result = map;
            for (String id : ids) {
                if (result.contains(id)) {
                    counters.departedEntriesRemoved.addAndGet(result.get(id).get().size());
                    result = result.remove(self, id);
                }
            }
            return result;
        }, (long) ids.size() * DeltaBudget.bytesOfNodeRemoval()));
    }
}
