package io.shoal.cluster.routing;

import java.util.concurrent.atomic.AtomicLong;

/** What the routing table has done, for metrics and tests. */
final class RoutingCounters {

    /** Updates sent to the Replicator (each one a change of this node's own or a departed node's entries). */
    final AtomicLong writes = new AtomicLong();
    /** Majority writes not acknowledged in time; the local replica has them and gossip spreads them still. */
    final AtomicLong writeTimeouts = new AtomicLong();
    /** Writes the Replicator refused. */
    final AtomicLong writeFailures = new AtomicLong();
    /** (filter, node) entries of departed nodes removed by this node. */
    final AtomicLong departedEntriesRemoved = new AtomicLong();
    /** Own entries found missing and written again. */
    final AtomicLong ownEntriesRestored = new AtomicLong();
}
