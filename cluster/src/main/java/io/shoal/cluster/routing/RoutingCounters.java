package io.shoal.cluster.routing;

import java.util.concurrent.atomic.AtomicLong;

/** What the routing table has done, for metrics and tests. */
final class RoutingCounters {

    /** Changes written to the table: this node's own entries added or removed, departed nodes' removed. */
    final AtomicLong writes = new AtomicLong();
    /** Replicator updates that carried them; fewer than the changes when a bucket's changes were batched. */
    final AtomicLong updates = new AtomicLong();
    /** Updates beyond the delta budget, written without a delta for full-state gossip to spread. */
    final AtomicLong updatesWithoutDelta = new AtomicLong();
    /** Majority writes not acknowledged in time; the local replica has them and gossip spreads them still. */
    final AtomicLong writeTimeouts = new AtomicLong();
    /** Writes the Replicator refused. */
    final AtomicLong writeFailures = new AtomicLong();
    /** (filter, node) entries of departed nodes removed by this node. */
    final AtomicLong departedEntriesRemoved = new AtomicLong();
    /** Reads of a bucket from every node (before removing departed nodes' entries) that timed out. */
    final AtomicLong catchUpsFailed = new AtomicLong();
    /** Own entries found missing and written again. */
    final AtomicLong ownEntriesRestored = new AtomicLong();
}
