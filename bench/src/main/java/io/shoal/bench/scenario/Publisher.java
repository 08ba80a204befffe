package io.shoal.bench.scenario;

import io.shoal.bench.client.LoadClient;
import io.shoal.bench.client.Payloads;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives one load client's publishing on its event loop, at a fixed rate or at the maximum
 * sustainable rate.
 *
 * <p>At a fixed rate each message carries its intended send time, so a stalled broker shows up as
 * latency instead of silently lowering the offered load (coordinated omission).
 *
 * <p>At the maximum rate the publisher keeps at most {@code window} messages outstanding end to end
 * (sent, not yet received by the subscribers it feeds), besides its QoS window and socket. Without
 * that, "as fast as possible" measures how fast a broker's queues fill, not how fast it delivers.
 * If deliveries stop for a second (a broker dropping QoS 0 messages), half a window is written off
 * so the run goes on; those messages still count as lost.
 */
final class Publisher implements Runnable {

    private static final int BURST = 64;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LoadClient client;
    private final int index;
    private final String topic;
    private final int qos;
    private final int payloadSize;
    private final double perNano;
    private final long maxMessages;
    private final long start;
    private final double phase;
    private final int window;
    private final int fedSubscribers;
    private final AtomicLong delivered = new AtomicLong();
    private volatile long forgiven;
    private volatile boolean blocked;
    private boolean stallCheckScheduled;
    private long sequence;
    private long acknowledged;
    private boolean scheduled;
    private volatile boolean stopped;
    private volatile long sentSnapshot;
    private volatile long acknowledgedSnapshot;

    /**
     * @param ratePerSecond  0 for the maximum sustainable rate
     * @param window         messages outstanding end to end at the maximum rate
     * @param fedSubscribers subscribers that receive each of this publisher's messages
     * @param phase          where in its send interval this publisher sends, from 0 to 1; spreading
     *                       publishers over the interval avoids synchronised bursts at a fixed rate
     */
    Publisher(LoadClient client, int index, String topic, int qos, int payloadSize, double ratePerSecond,
              int window, int fedSubscribers, double phase, long maxMessages, long startNanos) {
        this.client = client;
        this.index = index;
        this.topic = topic;
        this.qos = qos;
        this.payloadSize = payloadSize;
        this.perNano = ratePerSecond / 1e9;
        this.maxMessages = maxMessages;
        this.start = startNanos;
        this.phase = phase;
        this.window = ratePerSecond > 0 ? 0 : window;
        this.fedSubscribers = Math.max(1, fedSubscribers);
        client.onReady(this::wake);
        client.onAcknowledged(packetId -> acknowledgedSnapshot = ++acknowledged);
    }

    private long intendedTime(long n) {
        return start + (long) ((n + phase) / perNano);
    }

    void begin() {
        client.channel().eventLoop().execute(this::wake);
    }

    /** Stops on the publisher's event loop, so no burst is still under way once this completes. */
    Future<?> stop() {
        return client.channel().eventLoop().submit(() -> stopped = true);
    }

    long sent() {
        return sentSnapshot;
    }

    /** QoS 1/2 messages the broker acknowledged; for QoS 0, every message sent counts. */
    long acknowledged() {
        return qos == 0 ? sentSnapshot : acknowledgedSnapshot;
    }

    boolean drained() {
        return qos == 0 || acknowledgedSnapshot == sentSnapshot;
    }

    /** A subscriber received one of this publisher's messages for the first time (any thread). */
    void onDelivered() {
        long d = delivered.incrementAndGet();
        if (blocked && outstanding(sentSnapshot, d) <= window / 2) {
            blocked = false;
            client.channel().eventLoop().execute(this::wake);
        }
    }

    private long outstanding(long sent, long deliveredSoFar) {
        return sent - deliveredSoFar / fedSubscribers - forgiven;
    }

    /** Stops for the end-to-end window; false if deliveries caught up meanwhile. */
    private boolean block() {
        blocked = true;
        if (outstanding(sequence, delivered.get()) <= window / 2) {
            blocked = false;
            return false;
        }
        if (!stallCheckScheduled) {
            stallCheckScheduled = true;
            long deliveredAtBlock = delivered.get();
            client.channel().eventLoop().schedule(() -> {
                stallCheckScheduled = false;
                if (blocked && delivered.get() == deliveredAtBlock) {
                    forgiven += window / 2;
                    blocked = false;
                    wake();
                }
            }, STALL_NANOS, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    private void wake() {
        if (!scheduled) {
            scheduled = true;
            client.channel().eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        if (stopped || !client.channel().isActive()) {
            return;
        }
        int burst = 0;
        long now = System.nanoTime();
        while (burst < BURST && sequence < maxMessages && client.canPublish(qos)) {
            if (window > 0 && outstanding(sequence, delivered.get()) >= window && block()) {
                break;
            }
            long intended = perNano > 0 ? intendedTime(sequence) : now;
            if (intended > now) {
                break;
            }
            client.publish(topic, qos, false, Payloads.encode(client.channel().alloc(), payloadSize, intended, index, sequence));
            sequence++;
            burst++;
        }
        if (burst > 0) {
            client.flush();
            sentSnapshot = sequence;
        }
        if (sequence >= maxMessages || !client.canPublish(qos) || blocked) {
            return; // onReady, onDelivered or the stall check wakes us
        }
        if (perNano > 0) {
            long next = intendedTime(sequence);
            long delay = Math.max(0, next - System.nanoTime());
            scheduled = true;
            client.channel().eventLoop().schedule(this, delay, TimeUnit.NANOSECONDS);
        } else {
            wake(); // yield to the loop's other work, then continue
        }
    }
}
