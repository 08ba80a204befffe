package io.shoal.cluster.routing;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import io.shoal.cluster.ClusterView;

import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The cluster-wide routing table: topic filter -> the nodes with at least one local subscription
 * to it, replicated with Akka Distributed Data (see {@link RoutingTableActor} for the data type and
 * {@link RouteBuckets} for the layout). It tells the publish path which other nodes a message must
 * be forwarded to.
 *
 * <p>Local subscriptions are counted here and only a filter's first and last subscription on this
 * node change the replicated table, so churn of many clients on one filter costs no cluster traffic.
 * Every method may be called from any thread and none blocks: writes go through an actor.
 */
public final class RoutingTable {

    private final LocalFilterCounts local = new LocalFilterCounts();
    private final RoutingCounters counters = new RoutingCounters();
    private final RoutingSettings settings;
    private final String selfId;
    private final RouteView view;
    private final ActorRef<RoutingTableActor.Command> writer;

    private RoutingTable(ActorSystem<?> system, RoutingSettings settings) {
        this.settings = settings;
        this.selfId = ClusterView.idOf(DistributedData.get(system).selfUniqueAddress().uniqueAddress());
        this.view = new RouteView(selfId, settings.buckets());
        this.writer = system.systemActorOf(RoutingTableActor.create(settings, local, view, counters),
                "shoal-routing-table", Props.empty());
    }

    /** Starts this node's routing table; once per actor system. */
    public static RoutingTable start(ActorSystem<?> system, RoutingSettings settings) {
        return new RoutingTable(system, settings);
    }

    /** A local subscription to {@code filter} was added. */
    public void subscribed(String filter) {
        local.increment(filter, f -> writer.tell(new RoutingTableActor.AddOwn(f)));
    }

    /** A local subscription to {@code filter} was removed. */
    public void unsubscribed(String filter) {
        local.decrement(filter, f -> writer.tell(new RoutingTableActor.RemoveOwn(f)));
    }

    /**
     * The ids of the other nodes having a (plain, not shared) filter that matches {@code topic}, as far as this node has
     * heard; empty (and allocation-free) when there are none. Lock-free.
     */
    public Set<String> nodesFor(String topic) {
        return view.remoteNodesFor(topic);
    }

    /**
     * Tells {@code visitor} each shared subscription ("group/filter") whose filter matches
     * {@code topic}, with the ids of the nodes that have members of it (this one included). Lock-free.
     */
    public void matchGroups(String topic, BiConsumer<String, Set<String>> visitor) {
        view.matchGroups(topic, visitor);
    }

    /** The ids of the nodes with members of the shared subscription "group/filter" (this one included). */
    public Set<String> nodesOfGroup(String groupId) {
        return view.nodesOfGroup(groupId);
    }

    /**
     * The sessions {@code nodeIds} routed for have been taken over (they left the cluster): their
     * entries are removed on every node. Until then a publish they match is refused, not lost.
     */
    public void forgetNodes(Set<String> nodeIds) {
        writer.tell(new RoutingTableActor.ForgetNodes(Set.copyOf(nodeIds)));
    }

    /** The ids of the nodes that have entries in this node's view, its own included. */
    public Set<String> nodes() {
        return view.nodes();
    }

    /** This node's id in the table: its address and incarnation uid. */
    public String selfId() {
        return selfId;
    }

    /** Changes this node wrote to the table (its own entries, departed nodes' removals). */
    public long writes() {
        return counters.writes.get();
    }

    /** Distributed Data updates that carried those changes: one per bucket while its previous one is in flight. */
    public long updates() {
        return counters.updates.get();
    }

    /** Updates beyond the delta budget, which full-state gossip spreads instead (see DeltaBudget). */
    public long updatesWithoutDelta() {
        return counters.updatesWithoutDelta.get();
    }

    public long writeTimeouts() {
        return counters.writeTimeouts.get();
    }

    public long writeFailures() {
        return counters.writeFailures.get();
    }

    /** (filter, node) entries of departed nodes this node removed. */
    public long departedEntriesRemoved() {
        return counters.departedEntriesRemoved.get();
    }

    /**
     * Reads of a bucket from every node that timed out: departed nodes' entries stay in it (and a
     * publish they match is refused) until a retry reads it from every node.
     */
    public long catchUpsFailed() {
        return counters.catchUpsFailed.get();
    }

    /** Own entries this node found missing from the table and wrote again. */
    public long ownEntriesRestored() {
        return counters.ownEntriesRestored.get();
    }

    /** Distinct filters this node has local subscriptions to. */
    public int localFilters() {
        return local.size();
    }

    /** (filter, node) entries in this node's view, its own included. */
    public int viewEntries() {
        return view.entries();
    }

    public int buckets() {
        return settings.buckets();
    }

    /** (filter, node) entries in one bucket, as last seen by this node. */
    public int entriesInBucket(int bucket) {
        return view.entries(bucket);
    }
}
