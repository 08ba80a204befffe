package io.shoal.cluster;

import java.time.Duration;
import java.util.List;

/**
 * How a node takes part in the cluster.
 *
 * @param host        host name or IP other nodes reach this node at (Akka Artery TCP)
 * @param port        port of cluster traffic; 0 picks a free one
 * @param seedNodes   "host:port" of the nodes to join (this node may be among them); empty: a
 *                    cluster of this node alone
 * @param downing     the Split Brain Resolver's strategy, such as keep-majority
 * @param stableAfter how long membership must be unchanged before unreachable nodes are downed
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, String downing, Duration stableAfter) {

    /** The Split Brain Resolver strategies Akka 2.6 has built in (lease-majority needs a lease, not offered). */
    public static final List<String> DOWNING_STRATEGIES = List.of("keep-majority", "static-quorum", "keep-oldest",
            "down-all");

    public ClusterSettings {
        seedNodes = List.copyOf(seedNodes);
        if (!DOWNING_STRATEGIES.contains(downing)) {
            throw new IllegalArgumentException("unknown downing strategy " + downing);
        }
    }

    /** A node alone on a free loopback port. */
    public static ClusterSettings standalone() {
        return new ClusterSettings("127.0.0.1", 0, List.of(), "keep-majority", Duration.ofSeconds(20));
    }
}
