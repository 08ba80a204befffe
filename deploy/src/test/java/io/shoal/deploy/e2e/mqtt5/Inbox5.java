package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Collects what a real MQTT 5 client receives, with the properties it saw, in arrival order. Both
 * the HiveMQ client ({@code publishes(ALL, inbox)}) and Paho mqttv5 (as a message listener) feed it.
 */
public final class Inbox5 implements Consumer<Mqtt5Publish>, IMqttMessageListener {

    /**
     * One message as the application saw it; absent properties are null (an empty list for user
     * properties). {@code subscriptionIds} come from Paho only (the HiveMQ client does not expose
     * them): null from HiveMQ, the list (maybe empty) from Paho.
     */
    public record Message(String topic, String payload, int qos, boolean retain, Boolean utf8Payload,
                          Long messageExpiry, String contentType, String responseTopic, byte[] correlationData,
                          List<String> userProperties, List<Integer> subscriptionIds) {
    }

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

    @Override
    public void accept(Mqtt5Publish p) {
        List<String> user = new ArrayList<>();
        for (Mqtt5UserProperty u : p.getUserProperties().asList()) {
            user.add(u.getName() + "=" + u.getValue());
        }
        messages.add(new Message(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8),
                p.getQos().getCode(), p.isRetain(),
                p.getPayloadFormatIndicator().map(f -> f == Mqtt5PayloadFormatIndicator.UTF_8).orElse(null),
                p.getMessageExpiryInterval().isPresent() ? p.getMessageExpiryInterval().getAsLong() : null,
                p.getContentType().map(Object::toString).orElse(null),
                p.getResponseTopic().map(Object::toString).orElse(null),
                p.getCorrelationData().map(Inbox5::bytes).orElse(null),
                user, null));
    }

    @Override
    public void messageArrived(String topic, MqttMessage m) {
        MqttProperties p = m.getProperties();
        List<String> user = new ArrayList<>();
        for (UserProperty u : p.getUserProperties()) {
            user.add(u.getKey() + "=" + u.getValue());
        }
        List<Integer> ids = p.getSubscriptionIdentifiers() == null ? List.of() : List.copyOf(p.getSubscriptionIdentifiers());
        messages.add(new Message(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(), m.isRetained(),
                p.getPayloadFormat() ? Boolean.TRUE : null, p.getMessageExpiryInterval(), p.getContentType(),
                p.getResponseTopic(), p.getCorrelationData(), user, ids));
    }

    /** The next message; fails if none arrives within 10 seconds. */
    public Message next() {
        return poll(WAIT);
    }

    /** The next message within {@code timeout}, or null. */
    public Message poll(Duration timeout) {
        try {
            return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts that the next message has this topic and payload, and returns it. */
    public Message expect(String topic, String payload) {
        Message m = next();
        assertNotNull(m, "no message arrived within " + WAIT + "; expected " + topic + " " + payload);
        assertEquals(topic + " " + payload, m.topic() + " " + m.payload(), "unexpected message " + m);
        return m;
    }

    /** Fails if anything has arrived (checks what is already here, without waiting). */
    public void assertEmpty() {
        Message m = messages.poll();
        if (m != null) {
            fail("unexpected message " + m);
        }
    }

    public int size() {
        return messages.size();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
