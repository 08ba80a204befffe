package io.shoal.cluster.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The changes waiting to be written, per bucket, with at most one Replicator update in flight per
 * bucket: changes made while a bucket's update is in flight wait, and go together, in order, as its
 * next update. An idle table writes each change at once; a burst costs an update per bucket per
 * round trip to the Replicator instead of one per filter. Used by one actor only.
 *
 * @param <C> a change to one bucket
 */
final class BucketWrites<C> {

    private final List<List<C>> waiting;
    private final boolean[] inFlight;

    BucketWrites(int buckets) {
        this.waiting = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            waiting.add(new ArrayList<>());
        }
        this.inFlight = new boolean[buckets];
    }

    void add(int bucket, C change) {
        waiting.get(bucket).add(change);
    }

    /**
     * The bucket's waiting changes, in the order they were added, to be written now as one update,
     * which is then in flight; empty while one is already in flight or nothing waits.
     */
    List<C> next(int bucket) {
        List<C> changes = waiting.get(bucket);
        if (inFlight[bucket] || changes.isEmpty()) {
            return List.of();
        }
        inFlight[bucket] = true;
        waiting.set(bucket, new ArrayList<>());
        return changes;
    }

    /** The bucket's update was answered (done, timed out or failed). */
    void answered(int bucket) {
        inFlight[bucket] = false;
    }
}
