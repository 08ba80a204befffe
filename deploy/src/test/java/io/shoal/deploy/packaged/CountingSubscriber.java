package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A persistent-session QoS 1 subscriber that counts how often it received each payload. */
final class CountingSubscriber implements AutoCloseable {

    private final PersistentClient client;
    private final Map<String, Integer> received = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    private volatile long lastDeliveryNanos = System.nanoTime();

    private CountingSubscriber(String id, String host, int port, String sourceAddress) {
        this.client = new PersistentClient(id, host, port, sourceAddress, this::count);
    }

    /** Connects and subscribes to {@code filter} at QoS 1. */
    static CountingSubscriber subscribe(String id, String host, int port, String sourceAddress, String filter)
            throws Exception {
        CountingSubscriber subscriber = new CountingSubscriber(id, host, port, sourceAddress);
        subscriber.client.connect().mqtt().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send()
                .get(30, TimeUnit.SECONDS);
        return subscriber;
    }

    private void count(Mqtt5Publish publish) {
        received.merge(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), 1, Integer::sum);
        deliveries.incrementAndGet();
        lastDeliveryNanos = System.nanoTime();
    }

    String id() {
        return client.id();
    }

    /** How many times each payload arrived. */
    Map<String, Integer> received() {
        return Map.copyOf(received);
    }

    /** Every PUBLISH received, duplicates included. */
    long deliveries() {
        return deliveries.get();
    }

    long millisSinceLastDelivery() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastDeliveryNanos);
    }

    boolean connected() {
        return client.connected();
    }

    List<Boolean> resumedSessions() {
        return client.resumedSessions();
    }

    @Override
    public void close() {
        client.close();
    }
}
