package io.shoal.node.protocol;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.StorageReceipt;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.IntConsumer;

/**
 * The PUBACKs and PUBRECs a connection owes its client, sent in the order of the PUBLISHes
 * [MQTT-4.6.0-2, MQTT-4.6.0-3]. An acknowledgement is due once the message is stored by every offline
 * session it was routed to; one still waiting holds back those behind it. Without offline sessions
 * (the common case) it is sent at once, on the same thread, and nothing is queued.
 *
 * <p>Event loop only, except {@link #settled}, which moves the release onto the event loop. A receipt
 * that has not settled after {@code timeout} counts as failed: a session entity stopped by a journal
 * failure does not answer.
 */
final class PublishAcks implements StorageReceipt.Listener {

    /** What the connection does with an acknowledgement that is due. */
    interface Sender {
        /**
         * PUBACK (QoS 1) or PUBREC (QoS 2): the message is routed and, where needed, stored; or it was
         * refused ({@code reasonCode} 0x80 or above, {@code why} its reason string or null).
         */
        void acknowledge(int packetId, int qos, int reasonCode, String why);

        /** The message could not be stored for every offline session it went to. */
        void notStored(int packetId, int qos);

        /** Acknowledgements were released outside a read: flush them, and reading may resume. */
        void released();
    }

    private record Owed(int packetId, int qos, int reasonCode, String why, StorageReceipt receipt,
                        long deadlineNanos) {
    }

    private static final AtomicIntegerFieldUpdater<PublishAcks> RELEASE_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(PublishAcks.class, "releaseScheduled");

    private final ArrayDeque<Owed> owed = new ArrayDeque<>(4); // most connections never hold one back
    private final ScheduledExecutorService eventLoop;
    private final long timeoutNanos;
    private final int limit;
    private final BrokerMetrics metrics;
    private final Sender sender;
    private volatile int releaseScheduled;
    private boolean timerArmed;

    /** @param limit acknowledgements held back before {@link #full()} asks the connection to stop reading */
    PublishAcks(ScheduledExecutorService eventLoop, long timeoutNanos, int limit, BrokerMetrics metrics, Sender sender) {
        this.eventLoop = eventLoop;
        this.timeoutNanos = timeoutNanos;
        this.limit = limit;
        this.metrics = metrics;
        this.sender = sender;
    }

    /** A receipt for the next QoS 1 or 2 PUBLISH, to hand to the publish path. */
    StorageReceipt receipt() {
        return new StorageReceipt(this);
    }

    /**
     * The PUBLISH has been routed: seals its receipt and acknowledges it now if nothing waits ahead of
     * it and nothing is left to store, otherwise holds it back. {@code receipt} null: nothing to wait for
     * (a refused PUBLISH, or a re-sent QoS 2 PUBLISH that is not forwarded again).
     */
    void owe(int packetId, int qos, int reasonCode, String why, StorageReceipt receipt) {
        boolean settled = receipt == null || receipt.seal();
        if (settled && owed.isEmpty()) {
            due(packetId, qos, reasonCode, why, receipt);
            return;
        }
        owed.add(new Owed(packetId, qos, reasonCode, why, receipt, System.nanoTime() + timeoutNanos));
        armTimer();
    }

    /** Whether an acknowledgement for this packet id is being held back. */
    boolean owes(int packetId) {
        for (Owed o : owed) {
            if (o.packetId == packetId) {
                return true;
            }
        }
        return false;
    }

    /** Whether an acknowledgement is still held back. */
    boolean owing() {
        return !owed.isEmpty();
    }

    /** Holding as many as the connection may hold: it should stop reading until some are released. */
    boolean full() {
        return owed.size() >= limit;
    }

    /**
     * The connection ends or gives up: nothing held back will be sent. Reports the packet ids of the
     * QoS 2 PUBLISHes among them, which the client has not seen PUBREC for and will send again.
     */
    void abandon(IntConsumer unacknowledgedQos2) {
        Owed o;
        while ((o = owed.poll()) != null) {
            if (o.receipt != null) {
                o.receipt.giveUp();
            }
            if (o.qos == 2) {
                unacknowledgedQos2.accept(o.packetId);
            }
        }
    }

    /** Any thread: the last store of a receipt settled. Coalesced into one event-loop task. */
    @Override
    public void settled(StorageReceipt receipt) {
        if (releaseScheduled == 0 && RELEASE_SCHEDULED.compareAndSet(this, 0, 1)) {
            eventLoop.execute(this::release);
        }
    }

    /** Sends what is due from the head: settled receipts, and as failed those past their deadline. */
    private void release() {
        releaseScheduled = 0;
        int before = owed.size();
        long now = System.nanoTime();
        Owed head;
        while ((head = owed.peek()) != null) {
            boolean settled = head.receipt == null || head.receipt.settled();
            if (!settled && now - head.deadlineNanos < 0) {
                break;
            }
            owed.poll();
            if (settled) {
                due(head.packetId, head.qos, head.reasonCode, head.why, head.receipt);
            } else {
                metrics.increment(Counter.ACK_STORE_TIMED_OUT);
                head.receipt.giveUp();
                sender.notStored(head.packetId, head.qos);
            }
        }
        if (owed.size() != before) {
            sender.released();
        }
        armTimer();
    }

    private void due(int packetId, int qos, int reasonCode, String why, StorageReceipt receipt) {
        if (receipt == null || receipt.succeeded()) {
            sender.acknowledge(packetId, qos, reasonCode, why);
        } else {
            metrics.increment(Counter.ACK_STORE_FAILED);
            sender.notStored(packetId, qos);
        }
    }

    /** One timer at a time, for the head: deadlines grow along the queue. */
    private void armTimer() {
        Owed head = owed.peek();
        if (timerArmed || head == null) {
            return;
        }
        timerArmed = true;
        eventLoop.schedule(() -> {
            timerArmed = false;
            release();
        }, Math.max(0, head.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
