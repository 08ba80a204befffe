package io.shoal.cluster.routing;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many bytes of route changes may travel as Distributed Data deltas per gossip interval. An
 * update beyond the budget is written without its delta, and the Replicator spreads it by
 * full-state gossip instead, as it does for deltas above {@code delta-crdt.max-delta-size}.
 *
 * <p>Why: a node sends a peer every delta made since the last time in one message, neither split
 * nor compressed. {@code max-delta-size} does not bound it here, because successive changes of one
 * node's entries merge into one ORMap delta op, which counts as one. A node registering 33,000
 * filters made messages of megabytes; Artery discarded them as larger than its maximum frame, and
 * the peers ignored those buckets' later deltas until gossip repaired them. Full-state gossip is
 * split to the frame size and gzipped: 1,000 filters are 68 KB as a delta, 5 KB as gossiped state.
 *
 * <p>A peer may get deltas only every few ticks, up to a gossip interval, and such a message can
 * span two of these windows, so the budget of one window is half a frame.
 */
final class DeltaBudget {

    /** Measured: an added filter costs its length plus about 40 bytes in a delta, a removed one about 80. */
    private static final int BYTES_PER_CHANGE = 96;
    /** Measured: the key, envelope and sequence numbers of one bucket's delta. */
    private static final int BYTES_PER_UPDATE = 300;

    private final long bytesPerWindow;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private long windowStart;
    private long spent;

    DeltaBudget(long frameBytes, Duration gossipInterval, LongSupplier nanoClock) {
        this.bytesPerWindow = frameBytes / 2;
        this.windowNanos = gossipInterval.toNanos();
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /** Estimated delta bytes of a change to one filter. */
    static int bytesOf(String filter) {
        return filter.length() + BYTES_PER_CHANGE;
    }

    /** Estimated delta bytes of a change that removes a node's entries: small, its values are not sent. */
    static int bytesOfNodeRemoval() {
        return BYTES_PER_UPDATE;
    }

    /** True, and spent, if an update with changes of {@code changeBytes} fits in this window's budget. */
    boolean tryTake(long changeBytes) {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            spent = 0;
        }
        long bytes = changeBytes + BYTES_PER_UPDATE;
        if (spent + bytes > bytesPerWindow) {
            return false;
        }
        spent += bytes;
        return true;
    }
}
