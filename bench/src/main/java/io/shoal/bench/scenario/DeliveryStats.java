package io.shoal.bench.scenario;

import io.netty.buffer.ByteBuf;
import io.shoal.bench.client.Payloads;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * What subscribers received: end-to-end latency of messages sent inside the measurement window,
 * throughput as messages received inside it, and per subscriber and publisher which sequence
 * numbers arrived, to count losses, duplicates and first deliveries out of the publisher's order.
 */
final class DeliveryStats {

    private static final long MAX_LATENCY_MICROS = 3_600_000_000L;

    private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
    private final LongAdder receivedInWindow = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final SubscriberTracker[] trackers;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;

    private volatile IntConsumer onFirstDelivery = publisher -> { };

    DeliveryStats(int subscribers, int publishers) {
        trackers = new SubscriberTracker[subscribers];
        for (int i = 0; i < subscribers; i++) {
            trackers[i] = new SubscriberTracker(publishers);
        }
    }

    /** Told the publisher index of every message a subscriber receives for the first time. */
    void onFirstDelivery(IntConsumer listener) {
        this.onFirstDelivery = listener;
    }

    void window(long startNanos, long endNanos) {
        windowStart = startNanos;
        windowEnd = endNanos;
    }

    void onMessage(int subscriber, ByteBuf payload) {
        long now = System.nanoTime();
        received.increment();
        if (!Payloads.isTagged(payload)) {
            return;
        }
        long sent = Payloads.sentNanos(payload);
        int publisher = Payloads.publisher(payload);
        long sequence = Payloads.sequence(payload);
        SubscriberTracker tracker = trackers[subscriber];
        if (!tracker.firstTime(publisher, sequence)) {
            duplicates.increment();
            return;
        }
        if (tracker.overtaken(publisher, sequence)) {
            outOfOrder.increment();
        }
        onFirstDelivery.accept(publisher);
        if (now >= windowStart && now < windowEnd) {
            receivedInWindow.increment();
        }
        if (sent >= windowStart && sent < windowEnd) {
            latency.recordValue(Math.max(0, (now - sent) / 1000));
        }
    }

    /** Distinct messages subscriber {@code s} received from publisher {@code p}. */
    long unique(int subscriber, int publisher) {
        return trackers[subscriber].unique(publisher);
    }

    long receivedInWindow() {
        return receivedInWindow.sum();
    }

    long received() {
        return received.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    /** First deliveries of a sequence number lower than one already received from the same publisher. */
    long outOfOrder() {
        return outOfOrder.sum();
    }

    Histogram latencyMicros() {
        return latency.getIntervalHistogram();
    }

    private static final class SubscriberTracker {
        private final BitSet[] seen;
        private final long[] unique;
        private final long[] highest;

        SubscriberTracker(int publishers) {
            seen = new BitSet[publishers];
            unique = new long[publishers];
            highest = new long[publishers];
            Arrays.fill(highest, -1);
        }

        /** True if a higher sequence number from {@code publisher} arrived before this one. */
        synchronized boolean overtaken(int publisher, long sequence) {
            if (publisher < 0 || publisher >= highest.length) {
                return false;
            }
            boolean overtaken = sequence < highest[publisher];
            highest[publisher] = Math.max(highest[publisher], sequence);
            return overtaken;
        }

        synchronized boolean firstTime(int publisher, long sequence) {
            if (publisher < 0 || publisher >= seen.length || sequence < 0 || sequence > Integer.MAX_VALUE) {
                return true;
            }
            BitSet s = seen[publisher];
            if (s == null) {
                s = new BitSet();
                seen[publisher] = s;
            }
            if (s.get((int) sequence)) {
                return false;
            }
            s.set((int) sequence);
            unique[publisher]++;
            return true;
        }

        synchronized long unique(int publisher) {
            return unique[publisher];
        }
    }
}
