package io.shoal.bench.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.shoal.bench.client.Payloads;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryStatsTest {

    private static ByteBuf payload(long sentNanos, int publisher, long sequence) {
        return Payloads.encode(UnpooledByteBufAllocator.DEFAULT, 64, sentNanos, publisher, sequence);
    }

    @Test
    void countsDistinctMessagesPerSubscriberAndPublisherAndSpotsDuplicates() {
        DeliveryStats stats = new DeliveryStats(2, 2);
        long now = System.nanoTime();
        stats.onMessage(0, payload(now, 0, 0));
        stats.onMessage(0, payload(now, 0, 1));
        stats.onMessage(0, payload(now, 0, 1)); // duplicate
        stats.onMessage(0, payload(now, 1, 1)); // other publisher, same sequence: not a duplicate
        stats.onMessage(1, payload(now, 0, 1)); // other subscriber: not a duplicate
        assertEquals(2, stats.unique(0, 0));
        assertEquals(1, stats.unique(0, 1));
        assertEquals(1, stats.unique(1, 0));
        assertEquals(0, stats.unique(1, 1));
        assertEquals(1, stats.duplicates());
        assertEquals(5, stats.received());
    }

    @Test
    void latencyCountsOnlyMessagesSentInsideTheWindowAndThroughputOnlyThoseReceivedInside() {
        DeliveryStats stats = new DeliveryStats(1, 1);
        long now = System.nanoTime();
        stats.window(now - 1_000_000_000L, now + 1_000_000_000L);
        stats.onMessage(0, payload(now - 5_000_000L, 0, 0));         // sent 5 ms ago, inside
        stats.onMessage(0, payload(now - 2_000_000_000L, 0, 1));     // sent before the window
        assertEquals(1, stats.latencyMicros().getTotalCount());
        assertTrue(stats.latencyMicros().getTotalCount() == 0, "the interval histogram resets when read");
        assertEquals(2, stats.receivedInWindow());
    }

    @Test
    void countsMessagesOvertakenByALaterOneFromTheSamePublisher() {
        DeliveryStats stats = new DeliveryStats(1, 2);
        long now = System.nanoTime();
        stats.onMessage(0, payload(now, 0, 0));
        stats.onMessage(0, payload(now, 0, 2));
        stats.onMessage(0, payload(now, 1, 1)); // another publisher's order is its own
        stats.onMessage(0, payload(now, 0, 1)); // overtaken by 2
        stats.onMessage(0, payload(now, 0, 2)); // a duplicate, not a reordering
        stats.onMessage(0, payload(now, 0, 3));
        assertEquals(1, stats.outOfOrder());
        assertEquals(1, stats.duplicates());
    }
}
