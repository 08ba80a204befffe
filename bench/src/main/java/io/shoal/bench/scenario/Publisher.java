package io.shoal.bench.scenario;

import io.shoal.bench.client.LoadClient;
import io.shoal.bench.client.Payloads;

import java.util.concurrent.TimeUnit;

/**
 * Drives one load client's publishing on its event loop: as fast as its QoS window and socket
 * allow, or at a fixed rate. At a fixed rate each message carries its intended send time, so a
 * stalled broker shows up as latency instead of silently lowering the offered load
 * (coordinated omission).
 */
final class Publisher implements Runnable {

    private static final int BURST = 64;

    private final LoadClient client;
    private final int index;
    private final String topic;
    private final int qos;
    private final int payloadSize;
    private final double perNano;
    private final long maxMessages;
    private final long start;
    private long sequence;
    private long acknowledged;
    private boolean scheduled;
    private volatile boolean stopped;
    private volatile long sentSnapshot;
    private volatile long acknowledgedSnapshot;

    /** @param ratePerSecond 0 for as fast as possible */
    Publisher(LoadClient client, int index, String topic, int qos, int payloadSize, double ratePerSecond,
              long maxMessages, long startNanos) {
        this.client = client;
        this.index = index;
        this.topic = topic;
        this.qos = qos;
        this.payloadSize = payloadSize;
        this.perNano = ratePerSecond / 1e9;
        this.maxMessages = maxMessages;
        this.start = startNanos;
        client.onReady(this::wake);
        client.onAcknowledged(() -> acknowledgedSnapshot = ++acknowledged);
    }

    void begin() {
        client.channel().eventLoop().execute(this::wake);
    }

    void stop() {
        stopped = true;
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
            long intended = perNano > 0 ? start + (long) (sequence / perNano) : now;
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
        if (sequence >= maxMessages || !client.canPublish(qos)) {
            return; // onReady wakes us when the window or the socket frees up
        }
        if (perNano > 0) {
            long next = start + (long) (sequence / perNano);
            long delay = Math.max(0, next - System.nanoTime());
            scheduled = true;
            client.channel().eventLoop().schedule(this, delay, TimeUnit.NANOSECONDS);
        } else {
            wake(); // yield to the loop's other work, then continue
        }
    }
}
