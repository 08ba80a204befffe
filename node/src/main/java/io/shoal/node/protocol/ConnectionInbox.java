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
    /** Messages, each with its publisher's receipt ({@link Tracked}) once {@link #track} was called. */
    private volatile MpscChunkedArrayQueue<Object> messages;
    private volatile int drainScheduled;
    private volatile boolean tracking;

    /** @param drain run on {@code eventLoop} after messages arrived; it must call {@link #drainTo} */
    ConnectionInbox(int capacity, BrokerMetrics metrics, Executor eventLoop, Runnable drain) {
        this.capacity = Math.max(32, capacity);
        this.metrics = metrics;
        this.eventLoop = eventLoop;
        this.drain = drain;
    }

    /**
     * From now on the publishers of QoS 1/2 messages wait for them (the client has a persistent session
     * that must not lose what its publishers were told is safe). Called before messages can arrive.
     */
    void track() {
        tracking = true;
    }

    /**
     * Any thread. A full inbox drops the message and counts it. When tracking, the publisher's receipt
     * expects the message to be made safe (see {@link OutboundQueue}); otherwise it is not needed.
     */
    @Override
    public void enqueue(PendingDelivery delivery, StorageReceipt receipt) {
        boolean track = tracking && receipt != null && delivery.qos() > 0;
        if (track) {
            receipt.expectStore();
        }
        if (!queue().offer(track ? new Tracked(delivery, receipt) : delivery)) {
            metrics.increment(Counter.DROPPED_QUEUE_FULL);
            if (track) {
                receipt.stored(); // dropped on purpose: nobody waits for it
            }
            return;
        }
        if (drainScheduled == 0 && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            eventLoop.execute(drain);
        }
    }

    /** Event loop only: hands everything queued so far to {@code sink} and allows the next drain task. */
    void drainTo(OutboundQueue.Sink sink) {
        drainScheduled = 0;
        MpscChunkedArrayQueue<Object> queued = messages;
        if (queued != null) {
            queued.drain(m -> {
                if (m instanceof Tracked t) {
                    sink.accept(t.delivery(), t.receipt());
                } else {
                    sink.accept((PendingDelivery) m, null);
                }
            });
        }
    }

    private record Tracked(PendingDelivery delivery, StorageReceipt receipt) {
    }

    private MpscChunkedArrayQueue<Object> queue() {
        MpscChunkedArrayQueue<Object> queued = messages;
        if (queued == null) {
            queued = new MpscChunkedArrayQueue<>(16, capacity);
            if (!MESSAGES.compareAndSet(this, null, queued)) {
                queued = messages;
            }
        }
        return queued;
    }
}
