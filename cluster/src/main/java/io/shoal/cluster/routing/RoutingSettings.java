package io.shoal.cluster.routing;

import java.time.Duration;

/**
 * How the routing table is laid out and written. Every node of a cluster must use the same
 * {@code buckets}: a filter's bucket is where every node looks for it.
 *
 * @param buckets           number of top-level Distributed Data keys the filters are spread over
 * @param writeMode         how far a route change must have travelled before the write counts as done
 * @param writeTimeout      how long a {@link WriteMode#MAJORITY} write waits; unused for LOCAL
 */
public record RoutingSettings(int buckets, WriteMode writeMode, Duration writeTimeout) {

    /**
     * 256 buckets keep a million filters at about 4,000 per key, so a changed key's full-state
     * gossip stays small; local writes (see {@link WriteMode}).
     */
    public static RoutingSettings defaults() {
        return new RoutingSettings(256, WriteMode.LOCAL, Duration.ofSeconds(3));
    }

    public RoutingSettings {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be at least 1: " + buckets);
        }
        if (writeMode == WriteMode.MAJORITY && (writeTimeout == null || writeTimeout.isZero() || writeTimeout.isNegative())) {
            throw new IllegalArgumentException("a majority write needs a positive timeout");
        }
    }

    public enum WriteMode {
        /**
         * Written to the local replica and spread by delta propagation and gossip. Callers never
         * wait anyway; a majority would only turn a partition into failed (retried by gossip
         * regardless) writes, and a route that arrives a few hundred ms late delays nothing that a
         * majority write would have delivered sooner.
         */
        LOCAL,
        /** Also sent to a majority of nodes at once; the reply tells whether they got it in time. */
        MAJORITY
    }
}
