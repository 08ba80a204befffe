package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message Expiry Interval (MQTT 5.0 section 3.3.2.3.3): a message is forwarded with what is left of
 * its interval, never after it has expired, also when it waited in an offline session or as a
 * retained message; a message without an interval is forwarded without one.
 *
 * <p>Where time has to pass, the test waits for an observable broker event instead of sleeping: the
 * broker closing a silent connection whose keep-alive is 1 s, which takes at least 1.5 s
 * ({@link #letAtLeastOneAndAHalfSecondsPass}).
 */
class MessageExpiryTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of());

    @Test
    void queuedMessageIsForwardedWithTheIntervalReducedByTheTimeItWaited() throws Exception {
        Mqtt5BlockingClient publisher = connected("me-wait-pub");
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = offlineSubscriber("me-wait", "me/wait", inbox);

        publisher.publishWith().topic("me/wait").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(10)
                .payload(utf8("ten seconds to live")).send();
        letAtLeastOneAndAHalfSecondsPass("me-wait-clock");

        subscriber.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        Inbox5.Message m = inbox.expect("me/wait", "ten seconds to live");
        assertNotNull(m.messageExpiry(), "the Message Expiry Interval is forwarded");
        assertTrue(m.messageExpiry() < 10 && m.messageExpiry() > 0,
                "after waiting 1.5 s or more, 10 s became " + m.messageExpiry());

        subscriber.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void messageThatExpiredWhileQueuedIsNotDelivered() throws Exception {
        Mqtt5BlockingClient publisher = connected("me-expired-pub");
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = offlineSubscriber("me-expired", "me/expired", inbox);

        publisher.publishWith().topic("me/expired").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload(utf8("one second to live")).send();
        publisher.publishWith().topic("me/expired").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("no expiry")).send();
        letAtLeastOneAndAHalfSecondsPass("me-expired-clock");

        subscriber.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        // Queued in this order: had the expired one been sent, it would have come first.
        Inbox5.Message m = inbox.expect("me/expired", "no expiry");
        assertNull(m.messageExpiry(), "a message without expiry carries no Message Expiry Interval");
        inbox.assertEmpty();

        subscriber.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void retainedMessageIsDeliveredWithItsRemainingIntervalUntilItExpires() throws Exception {
        Mqtt5BlockingClient publisher = connected("me-retained-pub");
        publisher.publishWith().topic("me/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(3).payload(utf8("retained for 3 s")).send();

        Inbox5.Message early = retainedFor("me-retained-a", publisher);
        assertNotNull(early, "a valid retained message goes to a new subscriber");
        assertEquals("retained for 3 s", early.payload());
        assertTrue(early.retain());
        assertNotNull(early.messageExpiry());
        assertTrue(early.messageExpiry() <= 3 && early.messageExpiry() >= 2, "expiry " + early.messageExpiry());

        letAtLeastOneAndAHalfSecondsPass("me-retained-clock-1");
        Inbox5.Message later = retainedFor("me-retained-b", publisher);
        assertNotNull(later, "still valid after about 1.5 s");
        assertNotNull(later.messageExpiry());
        assertTrue(later.messageExpiry() <= 2 && later.messageExpiry() > 0,
                "1.5 s or more after publication, 3 s became " + later.messageExpiry());

        letAtLeastOneAndAHalfSecondsPass("me-retained-clock-2");
        assertNull(retainedFor("me-retained-c", publisher), "3 s or more after publication it has expired");

        publisher.disconnect();
    }

    @Test
    void messagesWithoutExpiryCarryNoExpiryAndOnesWithExpiryKeepIt() throws Exception {
        Mqtt5BlockingClient publisher = connected("me-none-pub");
        Inbox5 hivemqInbox = new Inbox5();
        Mqtt5BlockingClient hivemq = Clients5.hivemq(broker, "me-none-hivemq", hivemqInbox);
        hivemq.subscribeWith().topicFilter("me/none/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Inbox5 pahoInbox = new Inbox5();
        org.eclipse.paho.mqttv5.client.MqttClient paho = Clients5.paho(broker, "me-none-paho");
        paho.connect(Clients5.pahoOptions());
        paho.subscribe(new MqttSubscription[]{new MqttSubscription("me/none/#", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{pahoInbox});

        publisher.publishWith().topic("me/none/plain").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("plain")).send();
        publisher.publishWith().topic("me/none/expiring").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(60)
                .payload(utf8("expiring")).send();
        for (Inbox5 inbox : new Inbox5[]{hivemqInbox, pahoInbox}) {
            assertNull(inbox.expect("me/none/plain", "plain").messageExpiry());
            Long expiry = inbox.expect("me/none/expiring", "expiring").messageExpiry();
            assertNotNull(expiry);
            assertTrue(expiry >= 59 && expiry <= 60, "delivered at once, 60 s became " + expiry);
        }

        // A retained message without expiry has none either.
        publisher.publishWith().topic("me/none/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(utf8("kept")).send();
        hivemqInbox.expect("me/none/retained", "kept");
        Inbox5 lateInbox = new Inbox5();
        Mqtt5BlockingClient late = Clients5.hivemq(broker, "me-none-late", lateInbox);
        late.subscribeWith().topicFilter("me/none/retained").qos(MqttQos.AT_LEAST_ONCE).send();
        Inbox5.Message retained = lateInbox.expect("me/none/retained", "kept");
        assertTrue(retained.retain());
        assertNull(retained.messageExpiry());

        publisher.publishWith().topic("me/none/retained").retain(true).payload(new byte[0]).send();
        late.disconnect();
        paho.disconnect();
        paho.close();
        hivemq.disconnect();
        publisher.disconnect();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static Mqtt5BlockingClient connected(String clientId) {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, clientId);
        client.connect();
        return client;
    }

    /**
     * A client with a session (expiry 60 s) subscribed to {@code topic} at QoS 1, disconnected: messages
     * wait in its session. It feeds {@code inbox} when it connects again.
     */
    private static Mqtt5BlockingClient offlineSubscriber(String clientId, String topic, Inbox5 inbox) {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, clientId);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        client.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();
        return client;
    }

    /**
     * The retained message a new subscriber to me/retained gets, or null if none: after SUBACK the
     * publisher sends a plain message to the topic, which comes after any retained one.
     */
    private static Inbox5.Message retainedFor(String clientId, Mqtt5BlockingClient publisher) {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, clientId, inbox);
        try {
            subscriber.subscribeWith().topicFilter("me/retained").qos(MqttQos.AT_LEAST_ONCE).send();
            publisher.publishWith().topic("me/retained").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("fence")).send();
            Inbox5.Message first = inbox.next();
            assertNotNull(first, "not even the fence arrived");
            if ("fence".equals(first.payload())) {
                return null;
            }
            inbox.expect("me/retained", "fence");
            return first;
        } finally {
            subscriber.disconnect();
        }
    }

    /**
     * Waits until the broker closes a silent MQTT 5 connection with a keep-alive of 1 s, which it does
     * after 1.5 times the keep-alive [MQTT-3.1.2-22]: at least 1.5 s pass on the broker's clock.
     */
    private static void letAtLeastOneAndAHalfSecondsPass(String clockId) throws IOException {
        try (RawClient clock = new RawClient(broker.port())) {
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED,
                    clock.connect5(clockId, true, 1, MqttProperties.NO_PROPERTIES).variableHeader().connectReturnCode());
            assertTrue(clock.awaitClosed(Duration.ofSeconds(10)), "the keep-alive clock never ran out");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
