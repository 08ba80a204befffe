package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Will Delay Interval and will properties (MQTT 5.0 sections 3.1.2.5, 3.1.3.2, 3.14.2.1): the will is
 * published when the delay has passed or the session ends, whichever comes first; a reconnect in time
 * cancels it; a normal DISCONNECT discards it, DISCONNECT 0x04 publishes it.
 *
 * <p>Devices lose their network with Paho's {@code disconnectForcibly(.., false)}, which closes the
 * socket without DISCONNECT. "The will never came" is checked with a marker: a second device with the
 * same will delay drops later; its will must be the first to arrive.
 */
class WillDelayTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of());

    @Test
    void delayedWillIsPublishedOnlyAfterTheDelay() throws Exception {
        Inbox5 wills = watch("wd/delay");
        MqttProperties willProperties = new MqttProperties();
        willProperties.setMessageExpiryInterval(10L);
        MqttClient device = deviceWithWill("wd-delay", 60, 2, "wd/delay", "late", willProperties);
        long dropped = System.nanoTime();
        dropNetwork(device);

        assertNull(wills.poll(Duration.ofSeconds(1)), "the will waits for its 2 s delay");
        Inbox5.Message will = wills.next();
        assertNotNull(will, "the will is published once its delay has passed");
        assertEquals("wd/delay late", will.topic() + " " + will.payload());
        long waitedMillis = (System.nanoTime() - dropped) / 1_000_000;
        assertTrue(waitedMillis >= 1900, "published after " + waitedMillis + " ms, before its 2 s delay");
        // Its lifetime starts when it is published, not when the connection ended (3.1.3.2.4).
        assertNotNull(will.messageExpiry());
        assertTrue(will.messageExpiry() >= 9 && will.messageExpiry() <= 10,
                "a will with a 10 s lifetime, published after its 2 s delay, had " + will.messageExpiry() + " s left");
    }

    @Test
    void reconnectBeforeTheDelayCancelsTheWill() throws Exception {
        Inbox5 wills = watch("wd/cancel");
        MqttClient device = deviceWithWill("wd-cancel", 60, 2, "wd/cancel", "must not appear", null);
        dropNetwork(device);

        MqttClient back = Clients5.paho(broker, "wd-cancel");
        MqttConnectionOptions options = Clients5.pahoOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(60L);
        IMqttToken token = back.connectWithResult(options);
        assertTrue(token.getSessionPresent(), "the session is resumed within its expiry");

        // Dropped after the first device, with the same delay: its will is due later.
        MqttClient marker = deviceWithWill("wd-cancel-marker", 60, 2, "wd/cancel", "marker", null);
        dropNetwork(marker);
        wills.expect("wd/cancel", "marker");
        wills.assertEmpty();

        back.disconnect();
        back.close();
    }

    @Test
    void willIsPublishedWhenTheSessionEndsBeforeTheDelay() throws Exception {
        Inbox5 wills = watch("wd/session-end");
        MqttClient device = deviceWithWill("wd-session-end", 1, 30, "wd/session-end", "session over", null);
        long dropped = System.nanoTime();
        dropNetwork(device);

        Inbox5.Message will = wills.next();
        assertNotNull(will, "the session ended after 1 s: its will is due although its 30 s delay is not over");
        assertEquals("wd/session-end session over", will.topic() + " " + will.payload());
        long waitedMillis = (System.nanoTime() - dropped) / 1_000_000;
        assertTrue(waitedMillis >= 900, "published after " + waitedMillis + " ms, before the session ended");
    }

    @Test
    void willIsPublishedWhenACleanStartEndsTheSessionDuringTheDelay() throws Exception {
        Inbox5 wills = watch("wd/clean-start");
        MqttClient device = deviceWithWill("wd-clean-start", 60, 30, "wd/clean-start", "replaced", null);
        dropNetwork(device);
        wills.assertEmpty();

        MqttClient fresh = Clients5.paho(broker, "wd-clean-start");
        MqttConnectionOptions options = Clients5.pahoOptions(); // Clean Start 1
        IMqttToken token = fresh.connectWithResult(options);
        assertFalse(token.getSessionPresent());
        Inbox5.Message will = wills.next();
        assertNotNull(will, "Clean Start ended the old session, and with it the wait of its will");
        assertEquals("wd/clean-start replaced", will.topic() + " " + will.payload());

        fresh.disconnect();
        fresh.close();
    }

    @Test
    void willPropertiesReachTheSubscriber() throws Exception {
        Inbox5 wills = watch("wd/props");
        MqttProperties properties = new MqttProperties();
        properties.setPayloadFormat(true);
        properties.setMessageExpiryInterval(60L);
        properties.setContentType("text/plain");
        properties.setResponseTopic("wd/props/reply");
        properties.setCorrelationData(new byte[]{1, 2, 3, (byte) 0xFF});
        properties.setUserProperties(List.of(new UserProperty("a", "1"), new UserProperty("b", "2"),
                new UserProperty("a", "3")));
        MqttClient device = deviceWithWill("wd-props", 0, 0, "wd/props", "gone", properties);
        dropNetwork(device);

        Inbox5.Message will = wills.expect("wd/props", "gone");
        assertEquals(Boolean.TRUE, will.utf8Payload(), "Payload Format Indicator");
        assertEquals("text/plain", will.contentType());
        assertEquals("wd/props/reply", will.responseTopic());
        assertArrayEquals(new byte[]{1, 2, 3, (byte) 0xFF}, will.correlationData());
        assertEquals(List.of("a=1", "b=2", "a=3"), will.userProperties(), "user properties in their order");
        assertNotNull(will.messageExpiry(), "the will's Message Expiry Interval");
        assertTrue(will.messageExpiry() > 0 && will.messageExpiry() <= 60, "expiry " + will.messageExpiry());
        assertEquals(1, will.qos());
    }

    @Test
    void disconnectWithWillMessagePublishesTheWill() {
        Inbox5 wills = watch("wd/with-will");
        Mqtt5BlockingClient device = Clients5.hivemqBuilder(broker, "wd-with-will")
                .willPublish().topic("wd/with-will").payload("asked for".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).contentType("text/plain").applyWillPublish()
                .buildBlocking();
        device.connect();
        device.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        Inbox5.Message will = wills.expect("wd/with-will", "asked for");
        assertEquals("text/plain", will.contentType());
    }

    @Test
    void normalDisconnectDiscardsTheWillEvenADelayedOne() throws Exception {
        Inbox5 wills = watch("wd/normal");
        Mqtt5BlockingClient device = Clients5.hivemqBuilder(broker, "wd-normal")
                .willPublish().topic("wd/normal").payload("must not appear".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).delayInterval(1).applyWillPublish()
                .buildBlocking();
        device.connectWith().sessionExpiryInterval(60).send();
        device.disconnect(); // reason 0x00

        MqttClient marker = deviceWithWill("wd-normal-marker", 60, 1, "wd/normal", "marker", null);
        dropNetwork(marker);
        wills.expect("wd/normal", "marker");
        wills.assertEmpty();
    }

    @Test
    void delayedWillIsPublishedAtOnceWhenTheSessionEndsWithTheConnection() throws Exception {
        Inbox5 wills = watch("wd/no-session");
        MqttClient device = deviceWithWill("wd-no-session", 0, 30, "wd/no-session", "no session to wait in", null);
        dropNetwork(device);
        Inbox5.Message will = wills.poll(Duration.ofSeconds(5));
        assertNotNull(will, "Session Expiry 0: the session ends with the connection, and the will is due then");
        assertEquals("wd/no-session no session to wait in", will.topic() + " " + will.payload());
    }

    @Test
    void takeoverWithCleanStart0WithinTheDelayDoesNotPublishTheWill() throws Exception {
        Inbox5 wills = watch("wd/takeover-resume");
        MqttClient device = deviceWithWill("wd-takeover-resume", 60, 2, "wd/takeover-resume", "must not appear", null);
        MqttClient successor = Clients5.paho(broker, "wd-takeover-resume");
        MqttConnectionOptions options = Clients5.pahoOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(60L);
        assertTrue(successor.connectWithResult(options).getSessionPresent());

        MqttClient marker = deviceWithWill("wd-takeover-resume-marker", 60, 2, "wd/takeover-resume", "marker", null);
        dropNetwork(marker);
        wills.expect("wd/takeover-resume", "marker");
        wills.assertEmpty();

        successor.disconnect();
        successor.close();
        device.close();
    }

    @Test
    void takeoverWithCleanStart1PublishesTheWillOfTheExistingConnection() throws Exception {
        Inbox5 wills = watch("wd/takeover-clean");
        MqttClient device = deviceWithWill("wd-takeover-clean", 60, 30, "wd/takeover-clean", "taken over", null);
        MqttClient successor = Clients5.paho(broker, "wd-takeover-clean");
        assertFalse(successor.connectWithResult(Clients5.pahoOptions()).getSessionPresent());

        Inbox5.Message will = wills.next();
        assertNotNull(will, "Clean Start 1 ends the session of the existing connection, and the will is due");
        assertEquals("wd/takeover-clean taken over", will.topic() + " " + will.payload());

        successor.disconnect();
        successor.close();
        device.close();
    }

    @Test
    void delayedWillOfASessionThatLeftMemoryIsStillPublishedOnTime() throws Exception {
        try (TestBroker unloading = TestBroker.start(Map.of("SHOAL_SESSION_PASSIVATE_AFTER", "100ms"))) {
            Inbox5 wills = watch(unloading, "wd/unloaded");
            MqttClient device = deviceWithWill(unloading, "wd-unloaded", 60, 1, "wd/unloaded", "woke up", null);
            long unloaded = unloading.metrics().get(Counter.SESSIONS_UNLOADED);
            long dropped = System.nanoTime();
            dropNetwork(device);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> unloading.metrics().get(Counter.SESSIONS_UNLOADED) > unloaded);
            wills.assertEmpty(); // the session left memory while its will was waiting
            Inbox5.Message will = wills.next();
            assertNotNull(will, "the session was reloaded when its will was due");
            assertEquals("wd/unloaded woke up", will.topic() + " " + will.payload());
            long waitedMillis = (System.nanoTime() - dropped) / 1_000_000;
            assertTrue(waitedMillis >= 900, "published after " + waitedMillis + " ms, before its 1 s delay");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** A subscriber to {@code topic}, connected for the rest of the class. */
    private static Inbox5 watch(String topic) {
        return watch(broker, topic);
    }

    private static Inbox5 watch(TestBroker target, String topic) {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient watcher = Clients5.hivemq(target, "watch-" + topic.replace('/', '-'), inbox);
        watcher.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        return inbox;
    }

    /** A Paho MQTT 5 client with a QoS 1 will, connected with Clean Start. */
    private static MqttClient deviceWithWill(String clientId, long sessionExpiry, long willDelay, String topic,
                                             String payload, MqttProperties willProperties) throws Exception {
        return deviceWithWill(broker, clientId, sessionExpiry, willDelay, topic, payload, willProperties);
    }

    private static MqttClient deviceWithWill(TestBroker target, String clientId, long sessionExpiry, long willDelay,
                                             String topic, String payload, MqttProperties willProperties)
            throws Exception {
        MqttClient client = Clients5.paho(target, clientId);
        MqttConnectionOptions options = Clients5.pahoOptions();
        options.setSessionExpiryInterval(sessionExpiry);
        MqttProperties properties = willProperties == null ? new MqttProperties() : willProperties;
        if (willDelay > 0) {
            properties.setWillDelayInterval(willDelay);
        }
        options.setWill(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, null));
        options.setWillMessageProperties(properties);
        client.connect(options);
        return client;
    }

    /** Closes the socket without DISCONNECT, as a device losing its network. */
    private static void dropNetwork(MqttClient client) throws Exception {
        client.disconnectForcibly(0, 1000, false);
        client.close();
    }
}
