package io.shoal.bench.scenario;

import io.shoal.bench.client.LoadClient;
import io.shoal.bench.client.Payloads;
import org.HdrHistogram.Recorder;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes a fixed number of QoS 1 messages as fast as its client's in-flight window allows, on the
 * client's event loop, and records how long each took to be acknowledged. Message {@code n} goes to
 * {@code topics[n % topics.size()]}, so each topic's messages keep the publisher's order.
 */
final class BurstPublisher implements Runnable {

    private static final int QOS = 1;
    private static final int MAX_PACKET_ID = 0xFFFF;

    private final LoadClient client;
    private final int index;
    private final List<String> topics;
    private final int payloadSize;
    private final long messages;
    private final Recorder ackLatencyMicros;
    // Send time by packet id (512 KiB): acknowledgements come back in any order across sessions.
    private final long[] sentAt = new long[MAX_PACKET_ID + 1];
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private long sequence;
    private volatile long acknowledged;
    private volatile long lastAcknowledgedAt;
    private boolean scheduled;

    BurstPublisher(LoadClient client, int index, List<String> topics, int payloadSize, long messages,
                   Recorder ackLatencyMicros) {
        this.client = client;
        this.index = index;
        this.topics = topics;
        this.payloadSize = payloadSize;
        this.messages = messages;
        this.ackLatencyMicros = ackLatencyMicros;
        client.onReady(this::wake);
        client.onAcknowledged(this::acknowledged);
        client.closed().thenRun(() -> done.completeExceptionally(
                new IllegalStateException(client.clientId() + " lost its connection")));
        if (messages == 0) {
            done.complete(null);
        }
    }

    /** Completes once every message is acknowledged; fails if the connection closes before. */
    CompletableFuture<Void> done() {
        return done;
    }

    void begin() {
        client.channel().eventLoop().execute(this::wake);
    }

    long acknowledged() {
        return acknowledged;
    }

    /** System.nanoTime() of the last acknowledgement; meaningless before the first. */
    long lastAcknowledgedAt() {
        return lastAcknowledgedAt;
    }

    private void acknowledged(int packetId) {
        long now = System.nanoTime();
        ackLatencyMicros.recordValue((now - sentAt[packetId]) / 1000);
        lastAcknowledgedAt = now;
        acknowledged++; // only this client's event loop writes it
        if (acknowledged == messages) {
            done.complete(null);
        }
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
        boolean wrote = false;
        while (sequence < messages && client.channel().isActive() && client.canPublish(QOS)) {
            long now = System.nanoTime();
            String topic = topics.get((int) (sequence % topics.size()));
            int packetId = client.publish(topic, QOS, false,
                    Payloads.encode(client.channel().alloc(), payloadSize, now, index, sequence));
            sentAt[packetId] = now;
            sequence++;
            wrote = true;
        }
        if (wrote) {
            client.flush(); // acknowledgements and writability wake us for the rest
        }
    }
}
