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
    /** Per bucket, updates handed out by {@link #next} and updates answered; numbered from 1. */
    private final long[] sent;
    private final long[] answered;

    BucketWrites(int buckets) {
        this.waiting = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            waiting.add(new ArrayList<>());
        }
        this.inFlight = new boolean[buckets];
        this.sent = new long[buckets];
        this.answered = new long[buckets];
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
        sent[bucket]++;
        waiting.set(bucket, new ArrayList<>());
        return changes;
    }

    /** The bucket's update was answered (done, timed out or failed). */
    void answered(int bucket) {
        inFlight[bucket] = false;
        answered[bucket]++;
    }

    /** The number of the bucket's update that carries every change added so far (in flight or next). */
    long lastUpdate(int bucket) {
        return waiting.get(bucket).isEmpty() ? sent[bucket] : sent[bucket] + 1;
    }

    /** True once the bucket's update numbered {@code update} (see {@link #lastUpdate}) was answered. */
    boolean isAnswered(int bucket, long update) {
        return answered[bucket] >= update;
    }
}
