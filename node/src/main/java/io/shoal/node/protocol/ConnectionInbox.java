package io.shoal.node.protocol;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscriber;
import org.jctools.queues.MpscChunkedArrayQueue;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

/**
 * Messages routed to one connected client, handed over from publishers' threads to the connection's
 * event loop: a bounded lock-free queue, created with the first message, and one drain task per
 * batch rather than one per message.
 */
final class ConnectionInbox implements Subscriber {

    private static final AtomicIntegerFieldUpdater<ConnectionInbox> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(ConnectionInbox.class, "drainScheduled");
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final AtomicReferenceFieldUpdater<ConnectionInbox, MpscChunkedArrayQueue> MESSAGES =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionInbox.class, MpscChunkedArrayQueue.class, "messages");

    private final int capacity;
    private final BrokerMetrics metrics;
    private final Executor eventLoop;
    private final Runnable drain;
    private volatile MpscChunkedArrayQueue<PendingDelivery> messages;
    private volatile int drainScheduled;

    /** @param drain run on {@code eventLoop} after messages arrived; it must call {@link #drainTo} */
    ConnectionInbox(int capacity, BrokerMetrics metrics, Executor eventLoop, Runnable drain) {
        this.capacity = Math.max(32, capacity);
        this.metrics = metrics;
        this.eventLoop = eventLoop;
        this.drain = drain;
    }

    /**
     * Any thread. A full inbox drops the message and counts it. The receipt is not needed: what a
     * live connection holds is not stored until it detaches.
     */
    @Override
    public void enqueue(PendingDelivery delivery, StorageReceipt receipt) {
        if (!queue().offer(delivery)) {
            metrics.increment(Counter.DROPPED_QUEUE_FULL);
            return;
        }
        if (drainScheduled == 0 && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            eventLoop.execute(drain);
        }
    }

    /** Event loop only: hands everything queued so far to {@code sink} and allows the next drain task. */
    void drainTo(Consumer<PendingDelivery> sink) {
        drainScheduled = 0;
        MpscChunkedArrayQueue<PendingDelivery> queued = messages;
        if (queued != null) {
            queued.drain(sink::accept);
        }
    }

    private MpscChunkedArrayQueue<PendingDelivery> queue() {
        MpscChunkedArrayQueue<PendingDelivery> queued = messages;
        if (queued == null) {
            queued = new MpscChunkedArrayQueue<>(16, capacity);
            if (!MESSAGES.compareAndSet(this, null, queued)) {
                queued = messages;
            }
        }
        return queued;
    }
}
