package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/** Collects what a real client receives, in arrival order; both Paho and HiveMQ clients can feed it. */
public final class Inbox implements IMqttMessageListener, Consumer<Mqtt3Publish> {

    /** One message as the application saw it. */
    public record Message(String topic, String payload, int qos, boolean retained, boolean dup) {
    }

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Message(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
                message.isRetained(), message.isDuplicate()));
    }

    @Override
    public void accept(Mqtt3Publish publish) {
        messages.add(new Message(publish.getTopic().toString(),
                new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), publish.getQos().getCode(),
                publish.isRetain(), false));
    }

    /** The next message; fails if none arrives within 10 seconds. */
    public Message next() {
        try {
            Message m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(m, "no message arrived within " + WAIT);
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts that the next message has this topic and payload, and returns it. */
    public Message expect(String topic, String payload) {
        Message m = next();
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
}
