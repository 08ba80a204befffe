package io.shoal.node.protocol;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.StorageReceipt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PublishAcks} on a real event loop: offline stores settle from the test thread, as a session
 * entity settles them from its own, and what the connection is told arrives in {@link #sent}.
 */
class PublishAcksTest {

    private static final int QOS_1 = 1;
    private static final int QOS_2 = 2;
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoop eventLoop = new DefaultEventLoop();
    private final BrokerMetrics metrics = new BrokerMetrics();
    /** "ack 7", "not stored 7", "released", in the order the connection is told. */
    private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();

    @AfterEach
    void stopEventLoop() {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void withNothingToStoreTheAcknowledgementIsSentAtOnceOnTheCallingThread() throws Exception {
        PublishAcks acks = acks(LONG_TIMEOUT, 10);

        List<String> sentDuringTheCall = onLoop(() -> {
            StorageReceipt receipt = acks.receipt();
            acks.owe(1, QOS_1, ReasonCode.SUCCESS, null, receipt);
            List<String> drained = new ArrayList<>();
            sent.drainTo(drained);
            return drained;
        });

        assertEquals(List.of("ack 1 reason 0"), sentDuringTheCall);
    }

    @Test
    void acknowledgementsWaitForStoresAndLeaveInTheOrderOfThePublishes() throws Exception {
        PublishAcks acks = acks(LONG_TIMEOUT, 10);
        StorageReceipt first = onLoop(() -> owe(acks, 1, QOS_1, 1));
        onLoop(() -> owe(acks, 2, QOS_2, 0));
        StorageReceipt third = onLoop(() -> owe(acks, 3, QOS_1, 1));

        third.stored();
        onLoop(() -> null); // the release the third store caused has run
        assertNull(sent.poll(), "an acknowledgement overtook the first PUBLISH's");

        first.stored();
        assertEquals("ack 1 reason 0", next());
        assertEquals("ack 2 reason 0", next());
        assertEquals("ack 3 reason 0", next());
        assertEquals("released", next());
    }

    @Test
    void aFailedStoreIsReportedInItsTurnAndCounted() throws Exception {
        PublishAcks acks = acks(LONG_TIMEOUT, 10);
        StorageReceipt failing = onLoop(() -> owe(acks, 1, QOS_2, 2));
        onLoop(() -> owe(acks, 2, QOS_1, 0));

        failing.stored();
        failing.failed();

        assertEquals("not stored 1", next());
        assertEquals("ack 2 reason 0", next());
        assertEquals(1, metrics.get(Counter.ACK_STORE_FAILED));
    }

    @Test
    void aStoreThatNeverSettlesTimesOutAndReleasesThoseBehindIt() throws Exception {
        PublishAcks acks = acks(Duration.ofMillis(100), 10);
        onLoop(() -> owe(acks, 1, QOS_1, 1)); // its session entity never answers
        onLoop(() -> owe(acks, 2, QOS_1, 0));

        assertEquals("not stored 1", next());
        assertEquals("ack 2 reason 0", next());
        assertEquals(1, metrics.get(Counter.ACK_STORE_TIMED_OUT));
        assertEquals(0, metrics.get(Counter.ACK_STORE_FAILED));
    }

    @Test
    void isFullAtItsLimitUntilAcknowledgementsAreReleased() throws Exception {
        PublishAcks acks = acks(LONG_TIMEOUT, 2);
        StorageReceipt first = onLoop(() -> owe(acks, 1, QOS_1, 1));
        assertFalse(onLoop(acks::full));
        onLoop(() -> owe(acks, 2, QOS_1, 0));
        assertTrue(onLoop(acks::full));

        first.stored();
        assertEquals("ack 1 reason 0", next());
        assertEquals("ack 2 reason 0", next());
        assertEquals("released", next());
        assertFalse(onLoop(acks::full));
    }

    @Test
    void abandoningReportsTheQos2IdsNotAcknowledgedAndSendsNothingMore() throws Exception {
        PublishAcks acks = acks(LONG_TIMEOUT, 10);
        StorageReceipt first = onLoop(() -> owe(acks, 1, QOS_1, 1));
        onLoop(() -> owe(acks, 2, QOS_2, 0));
        assertTrue(onLoop(() -> acks.owes(2)));

        List<Integer> unacknowledgedQos2 = onLoop(() -> {
            List<Integer> ids = new ArrayList<>();
            acks.abandon(ids::add);
            return ids;
        });
        first.stored();
        onLoop(() -> null);

        assertEquals(List.of(2), unacknowledgedQos2);
        assertFalse(onLoop(() -> acks.owes(2)));
        assertNull(sent.poll());
    }

    /** Routes a PUBLISH whose message {@code stores} offline sessions will store, and seals its receipt. */
    private static StorageReceipt owe(PublishAcks acks, int packetId, int qos, int stores) {
        StorageReceipt receipt = acks.receipt();
        for (int i = 0; i < stores; i++) {
            receipt.expectStore();
        }
        acks.owe(packetId, qos, ReasonCode.SUCCESS, null, receipt);
        return receipt;
    }

    private PublishAcks acks(Duration timeout, int limit) {
        return new PublishAcks(eventLoop, timeout.toNanos(), limit, metrics, new PublishAcks.Sender() {
            @Override
            public void acknowledge(int packetId, int qos, int reasonCode, String why) {
                sent.add("ack " + packetId + " reason " + reasonCode);
            }

            @Override
            public void notStored(int packetId, int qos) {
                sent.add("not stored " + packetId);
            }

            @Override
            public void released() {
                sent.add("released");
            }
        });
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return eventLoop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private String next() throws InterruptedException {
        String next = sent.poll(5, TimeUnit.SECONDS);
        assertTrue(next != null, "nothing sent");
        return next;
    }
}
