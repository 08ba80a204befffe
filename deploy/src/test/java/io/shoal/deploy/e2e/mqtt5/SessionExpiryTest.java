package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clean Start and Session Expiry Interval (MQTT 5.0 sections 3.1.2.4, 3.1.2.11.2, 3.14.2.2.2, 4.1):
 * a session outlives its connection exactly as long as its expiry interval says, with its
 * subscriptions and the QoS 1 messages queued while the client was away, and is gone with all of it
 * afterwards.
 *
 * <p>"Nothing else arrived" is checked with a fence: the subscriber subscribes to a fence topic and the
 * publisher (which published every earlier message first, each acknowledged) publishes on it; the
 * fence must be the first message the subscriber sees.
 */
class SessionExpiryTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of());

    @Test
    void expiryZeroEndsTheSessionWhenTheConnectionCloses() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-zero-pub");
        Mqtt5BlockingClient first = Clients5.hivemq(broker, "se-zero");
        first.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        first.subscribeWith().topicFilter("se/zero/t").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        publish(publisher, "se/zero/t", "while away");

        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient again = subscriberClient(broker, "se-zero", inbox);
        Mqtt5ConnAck ack = again.connectWith().cleanStart(false).sessionExpiryInterval(0).send();
        assertFalse(ack.isSessionPresent(), "a session with expiry 0 ends with its connection");
        publish(publisher, "se/zero/t", "after the reconnect");
        assertFenceComesFirst(again, inbox, publisher, "se/zero/fence");

        again.disconnect();
        publisher.disconnect();
    }

    @Test
    void sessionIsResumedWithinItsExpiryWithSubscriptionsAndQueuedMessages() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-resume-pub");
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = subscriberClient(broker, "se-resume", inbox);
        Mqtt5ConnAck first = client.connectWith().cleanStart(true).sessionExpiryInterval(5).send();
        assertFalse(first.isSessionPresent());
        client.subscribeWith().topicFilter("se/resume/#").qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();

        publish(publisher, "se/resume/a", "queued 1");
        publish(publisher, "se/resume/b", "queued 2");

        Mqtt5ConnAck resumed = client.connectWith().cleanStart(false).sessionExpiryInterval(5).send();
        assertTrue(resumed.isSessionPresent(), "the session is resumed within its expiry interval");
        inbox.expect("se/resume/a", "queued 1");
        inbox.expect("se/resume/b", "queued 2");
        // The subscription is part of the session: no new SUBSCRIBE is needed.
        publish(publisher, "se/resume/c", "live");
        inbox.expect("se/resume/c", "live");

        client.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void expiredSessionIsGoneWithItsQueuedMessagesAndSubscriptions() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-expire-pub");
        Mqtt5BlockingClient first = Clients5.hivemq(broker, "se-expire");
        first.connectWith().cleanStart(true).sessionExpiryInterval(2).send();
        first.subscribeWith().topicFilter("se/expire/t").qos(MqttQos.AT_LEAST_ONCE).send();
        long expired = broker.metrics().get(Counter.SESSIONS_EXPIRED);
        first.disconnect();
        publish(publisher, "se/expire/t", "queued before expiry");

        // The session ends 2 s after the connection closed, not earlier [MQTT-3.1.2-23], [MQTT-4.1.0-2].
        await().atLeast(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                .until(() -> broker.metrics().get(Counter.SESSIONS_EXPIRED) > expired);
        publish(publisher, "se/expire/t", "after expiry, before the reconnect");

        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient again = subscriberClient(broker, "se-expire", inbox);
        Mqtt5ConnAck ack = again.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        assertFalse(ack.isSessionPresent(), "the session expired");
        publish(publisher, "se/expire/t", "after the reconnect");
        assertFenceComesFirst(again, inbox, publisher, "se/expire/fence");

        again.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void sessionExpiryOfFFFFFFFFNeverExpires() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-never-pub");
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = subscriberClient(broker, "se-never", inbox);
        Mqtt5ConnAck first = client.connectWith().cleanStart(true).sessionExpiryInterval(0xFFFFFFFFL).send();
        assertEquals(OptionalLong.empty(), first.getSessionExpiryInterval(),
                "max-session-expiry is 'never': the interval is granted as requested");
        client.subscribeWith().topicFilter("se/never/t").qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();
        publish(publisher, "se/never/t", "kept");

        Mqtt5ConnAck resumed = client.connectWith().cleanStart(false).sessionExpiryInterval(0xFFFFFFFFL).send();
        assertTrue(resumed.isSessionPresent());
        inbox.expect("se/never/t", "kept");

        client.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void cleanStartDiscardsAnExistingSession() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-clean-pub");
        Mqtt5BlockingClient first = Clients5.hivemq(broker, "se-clean");
        first.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter("se/clean/t").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        publish(publisher, "se/clean/t", "queued in the old session");

        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient again = subscriberClient(broker, "se-clean", inbox);
        Mqtt5ConnAck ack = again.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        assertFalse(ack.isSessionPresent(), "Clean Start 1 always gets Session Present 0");
        publish(publisher, "se/clean/t", "after the clean start");
        assertFenceComesFirst(again, inbox, publisher, "se/clean/fence");

        again.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void sessionExpirySetToZeroAtDisconnectEndsTheSession() {
        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-dis0-pub");
        Mqtt5BlockingClient first = Clients5.hivemq(broker, "se-dis0");
        first.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        first.subscribeWith().topicFilter("se/dis0/t").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnectWith().sessionExpiryInterval(0).send();
        publish(publisher, "se/dis0/t", "while away");

        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient again = subscriberClient(broker, "se-dis0", inbox);
        Mqtt5ConnAck ack = again.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
        assertFalse(ack.isSessionPresent(), "DISCONNECT with Session Expiry Interval 0 ended the session");
        publish(publisher, "se/dis0/t", "after the reconnect");
        assertFenceComesFirst(again, inbox, publisher, "se/dis0/fence");

        again.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void nonZeroSessionExpiryAtDisconnectAfterZeroAtConnectIsAProtocolError() throws Exception {
        try (RawClient raw = new RawClient(broker.port())) {
            raw.connect5("se-dis-bad", true, 0, MqttProperties.NO_PROPERTIES); // Session Expiry Interval absent: 0
            raw.subscribe(1, "se/disbad/t", 1);
            MqttProperties properties = new MqttProperties();
            properties.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 60));
            raw.send(MqttMessageBuilders.disconnect().reasonCode((byte) 0).properties(properties).build());

            MqttMessage reply = raw.receive(Duration.ofSeconds(5));
            assertNotNull(reply, "expected DISCONNECT 0x82 (Protocol Error)");
            assertEquals(MqttMessageType.DISCONNECT, reply.fixedHeader().messageType());
            assertEquals(0x82, ((MqttReasonCodeAndPropertiesVariableHeader) reply.variableHeader()).reasonCode() & 0xFF);
            assertTrue(raw.awaitClosed(Duration.ofSeconds(5)), "the broker closes the connection");
        }

        Mqtt5BlockingClient publisher = connectedPublisher(broker, "se-dis-bad-pub");
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient again = subscriberClient(broker, "se-dis-bad", inbox);
        Mqtt5ConnAck ack = again.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        assertFalse(ack.isSessionPresent(), "the invalid DISCONNECT did not make the session outlive its connection");
        publish(publisher, "se/disbad/t", "after the reconnect");
        assertFenceComesFirst(again, inbox, publisher, "se/disbad/fence");

        again.disconnectWith().sessionExpiryInterval(0).send();
        publisher.disconnect();
    }

    @Test
    void maxSessionExpiryCapsTheIntervalAndTheSessionEndsAfterTheCap() {
        try (TestBroker capped = TestBroker.start(Map.of("SHOAL_MQTT_MAX_SESSION_EXPIRY", "2s"))) {
            Mqtt5BlockingClient publisher = connectedPublisher(capped, "se-cap-pub");
            Mqtt5BlockingClient first = Clients5.hivemq(capped, "se-cap");
            Mqtt5ConnAck ack = first.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            assertEquals(OptionalLong.of(2), ack.getSessionExpiryInterval(), "CONNACK tells the interval in use");
            first.subscribeWith().topicFilter("se/cap/t").qos(MqttQos.AT_LEAST_ONCE).send();
            long expired = capped.metrics().get(Counter.SESSIONS_EXPIRED);
            first.disconnect();
            publish(publisher, "se/cap/t", "queued before expiry");

            await().atLeast(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                    .until(() -> capped.metrics().get(Counter.SESSIONS_EXPIRED) > expired);

            Inbox5 inbox = new Inbox5();
            Mqtt5BlockingClient again = subscriberClient(capped, "se-cap", inbox);
            assertFalse(again.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent(),
                    "the session lived 2 s, not the 3600 s asked for");
            publish(publisher, "se/cap/t", "after the reconnect");
            assertFenceComesFirst(again, inbox, publisher, "se/cap/fence");

            again.disconnectWith().sessionExpiryInterval(0).send();
            publisher.disconnect();
        }
    }

    @Test
    void sessionsThatLeftMemoryAreResumedOrExpireOnTime() {
        try (TestBroker unloading = TestBroker.start(Map.of("SHOAL_SESSION_PASSIVATE_AFTER", "100ms"))) {
            Mqtt5BlockingClient publisher = connectedPublisher(unloading, "se-unload-pub");
            Inbox5 keptInbox = new Inbox5();
            Mqtt5BlockingClient kept = subscriberClient(unloading, "se-unload-kept", keptInbox);
            kept.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
            kept.subscribeWith().topicFilter("se/unload/kept").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient expiring = Clients5.hivemq(unloading, "se-unload-expiring");
            expiring.connectWith().cleanStart(true).sessionExpiryInterval(2).send();
            expiring.subscribeWith().topicFilter("se/unload/expiring").qos(MqttQos.AT_LEAST_ONCE).send();
            long unloaded = unloading.metrics().get(Counter.SESSIONS_UNLOADED);
            long expired = unloading.metrics().get(Counter.SESSIONS_EXPIRED);
            kept.disconnect();
            expiring.disconnect();
            long disconnected = System.nanoTime();
            publish(publisher, "se/unload/kept", "queued before unloading");
            publish(publisher, "se/unload/expiring", "queued before unloading");

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> unloading.metrics().get(Counter.SESSIONS_UNLOADED) >= unloaded + 2);
            publish(publisher, "se/unload/kept", "queued while unloaded");
            assertTrue(kept.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent(),
                    "a session reloaded from its journal is resumed");
            keptInbox.expect("se/unload/kept", "queued before unloading");
            keptInbox.expect("se/unload/kept", "queued while unloaded");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> unloading.metrics().get(Counter.SESSIONS_EXPIRED) > expired);
            long lifetimeMillis = (System.nanoTime() - disconnected) / 1_000_000;
            assertTrue(lifetimeMillis >= 1900, "expired " + lifetimeMillis + " ms after the disconnect, before 2 s");
            Inbox5 inbox = new Inbox5();
            Mqtt5BlockingClient again = subscriberClient(unloading, "se-unload-expiring", inbox);
            assertFalse(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent(),
                    "a session out of memory still ends when its expiry interval has passed");
            publish(publisher, "se/unload/expiring", "after the reconnect");
            assertFenceComesFirst(again, inbox, publisher, "se/unload/fence");

            again.disconnectWith().sessionExpiryInterval(0).send();
            kept.disconnectWith().sessionExpiryInterval(0).send();
            publisher.disconnect();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static Mqtt5BlockingClient connectedPublisher(TestBroker target, String clientId) {
        Mqtt5BlockingClient publisher = Clients5.hivemq(target, clientId);
        publisher.connect();
        return publisher;
    }

    /** A client, not yet connected, that feeds every message it receives into {@code inbox}. */
    private static Mqtt5BlockingClient subscriberClient(TestBroker target, String clientId, Inbox5 inbox) {
        Mqtt5BlockingClient client = Clients5.hivemq(target, clientId);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        return client;
    }

    /** QoS 1, returning once the broker has acknowledged (and so routed) the message. */
    private static void publish(Mqtt5BlockingClient publisher, String topic, String payload) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /** Everything published before this reaches the subscriber before the fence, so nothing may come first. */
    private static void assertFenceComesFirst(Mqtt5BlockingClient subscriber, Inbox5 inbox,
                                              Mqtt5BlockingClient publisher, String fenceTopic) {
        subscriber.subscribeWith().topicFilter(fenceTopic).qos(MqttQos.AT_LEAST_ONCE).send();
        publish(publisher, fenceTopic, "fence");
        inbox.expect(fenceTopic, "fence");
        inbox.assertEmpty();
    }
}
