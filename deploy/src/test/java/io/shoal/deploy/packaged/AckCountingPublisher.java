package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes "{id}-{seq}" on "load/{id}" at QoS 1 at a steady rate, with a persistent session, and
 * records exactly which messages the broker acknowledged: a PUBACK without an error reason code.
 * A PUBACK with an error code, a failure or no answer at all (e.g. the session was lost with its
 * connection) is not an acknowledgement, and is counted by its reason.
 */
final class AckCountingPublisher implements AutoCloseable {

    private final PersistentClient client;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger settled = new AtomicInteger();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> notAcknowledged = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /**
     * A thread of its own: the client library blocks a publishing thread while its flow control
     * window is full, which must hold back this publisher only.
     */
    private final ScheduledExecutorService ticks;

    private AckCountingPublisher(String id, String host, int port, String sourceAddress) {
        this.client = new PersistentClient(id, host, port, sourceAddress, publish -> { });
        this.ticks = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "publisher-" + id));
    }

    static AckCountingPublisher connect(String id, String host, int port, String sourceAddress) throws Exception {
        AckCountingPublisher publisher = new AckCountingPublisher(id, host, port, sourceAddress);
        publisher.client.connect();
        return publisher;
    }

    /**
     * Publishes up to {@code perSecond} messages a second until {@link #stop()}, {@code maxMessages}
     * or {@code maxDuration}, whichever comes first. A publisher held back by flow control goes on at
     * the same pace afterwards, without catching up.
     */
    void start(int perSecond, int maxMessages, Duration maxDuration) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        ticks.scheduleWithFixedDelay(() -> {
            if (published.get() >= maxMessages || System.nanoTime() > deadline) {
                stop();
            } else {
                publishNext();
            }
        }, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    private void publishNext() {
        String payload = id() + "-" + published.incrementAndGet();
        client.mqtt().publishWith().topic("load/" + id()).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send()
                .whenComplete((result, failure) -> {
                    String refusal = refusal(result, failure);
                    if (refusal == null) {
                        acknowledged.add(payload);
                    } else {
                        notAcknowledged.merge(refusal, 1, Integer::sum);
                        refused.add(payload);
                    }
                    settled.incrementAndGet();
                });
    }

    /**
     * Publishes "{id}-probe" on "load/{id}/probe", which is not counted: to find out when the
     * subscribers' routes have reached this publisher's node, before the load starts.
     */
    void probe() {
        client.mqtt().publishWith().topic("load/" + id() + "/probe").qos(MqttQos.AT_LEAST_ONCE)
                .payload(probePayload().getBytes(StandardCharsets.UTF_8)).send();
    }

    String probePayload() {
        return id() + "-probe";
    }

    /** Why a publish was not acknowledged, or null if it was. */
    private static String refusal(Mqtt5PublishResult result, Throwable failure) {
        Throwable error = failure != null ? failure : result.getError().orElse(null);
        if (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        if (error instanceof Mqtt5PubAckException refused) {
            return "PUBACK " + refused.getMqttMessage().getReasonCode();
        }
        if (error != null) {
            return error.getClass().getSimpleName();
        }
        if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1 && qos1.getPubAck().getReasonCode().isError()) {
            return "PUBACK " + qos1.getPubAck().getReasonCode();
        }
        return null;
    }

    /** Stops publishing new messages; those under way still get their answer. */
    void stop() {
        ticks.shutdown();
    }

    String id() {
        return client.id();
    }

    int published() {
        return published.get();
    }

    /** Messages published and not yet answered (acknowledged or refused). */
    int pending() {
        return published.get() - settled.get();
    }

    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** The payloads of the messages not acknowledged. */
    Set<String> refused() {
        return Set.copyOf(refused);
    }

    /** Messages not acknowledged, by reason. */
    Map<String, Integer> notAcknowledged() {
        return new TreeMap<>(notAcknowledged);
    }

    boolean connected() {
        return client.connected();
    }

    List<Boolean> resumedSessions() {
        return client.resumedSessions();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        client.close();
    }
}
