package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import io.shoal.node.metrics.Counter;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions with clean session 0, MQTT 3.1.1 sections 3.1.2.4 and 4.1. */
class PersistentSessionTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        publisher = Clients.paho(broker, "persist-pub", true);
    }

    @AfterAll
    static void stop() throws Exception {
        publisher.disconnect();
    }

    @Test
    void sessionPresentIsFalseOnFirstConnectAndTrueOnResume() {
        Mqtt3BlockingClient client = Clients.hivemq(broker, "present");
        assertFalse(client.connectWith().cleanSession(false).send().isSessionPresent());
        client.disconnect();
        assertTrue(client.connectWith().cleanSession(false).send().isSessionPresent());
        client.disconnect();
    }

    @Test
    void subscriptionsAndQueuedMessagesSurviveADisconnect() throws Exception {
        Mqtt3BlockingClient client = Clients.hivemq(broker, "offline-queue");
        client.connectWith().cleanSession(false).send();
        client.subscribeWith().topicFilter("persist/queue/#").qos(MqttQos.EXACTLY_ONCE).send();
        client.disconnect();

        for (int i = 0; i < 20; i++) {
        publisher.publish("persist/queue/" + (i % 2), ("m" + i).getBytes(), 1 + i % 2, false);
        }
        publisher.publish("persist/queue/0", "qos0 is not queued".getBytes(), 0, false);

        Inbox inbox = new Inbox();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        Mqtt3ConnAck ack = client.connectWith().cleanSession(false).send();
        assertTrue(ack.isSessionPresent());
        for (int i = 0; i < 20; i++) {
        Inbox.Message m = inbox.expect("persist/queue/" + (i % 2), "m" + i);
            assertEquals(1 + i % 2, m.qos());
        }
        // The subscription is still there for new messages.
        publisher.publish("persist/queue/1", "live".getBytes(), 1, false);
        inbox.expect("persist/queue/1", "live");
        client.disconnect();
    }

    @Test
    void cleanSessionDiscardsThePreviousSession() throws Exception {
        Mqtt3BlockingClient first = Clients.hivemq(broker, "discard");
        first.connectWith().cleanSession(false).send();
        first.subscribeWith().topicFilter("persist/discard").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        publisher.publish("persist/discard", "lost with the session".getBytes(), 1, false);

        Mqtt3BlockingClient clean = Clients.hivemq(broker, "discard");
        assertFalse(clean.connectWith().cleanSession(true).send().isSessionPresent());
        clean.disconnect();

        // A clean session ends at disconnect; a persistent session started now is new and empty:
        // neither the queued message nor the old subscription comes back.
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient fresh = Clients.hivemq(broker, "discard");
        fresh.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertFalse(fresh.connectWith().cleanSession(false).send().isSessionPresent());
        fresh.subscribeWith().topicFilter("persist/discard/marker").qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.publish("persist/discard", "no subscription any more".getBytes(), 1, false);
        publisher.publish("persist/discard/marker", "marker".getBytes(), 1, false);
        inbox.expect("persist/discard/marker", "marker");
        fresh.disconnect();
    }

    @Test
    void offlineQueueIsBoundedAndDropsAreCounted() throws Exception {
        try (TestBroker small = TestBroker.start(Map.of("SHOAL_MQTT_MAX_QUEUED_MESSAGES", "5"))) {
        Mqtt3BlockingClient client = Clients.hivemq(small, "bounded");
            client.connectWith().cleanSession(false).send();
            client.subscribeWith().topicFilter("bounded").qos(MqttQos.AT_LEAST_ONCE).send();
            client.disconnect();

            MqttClient pub = Clients.paho(small, "bounded-pub", true);
            for (int i = 0; i < 8; i++) {
        pub.publish("bounded", ("m" + i).getBytes(), 1, false);
            }
            Inbox inbox = new Inbox();
            client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
            client.connectWith().cleanSession(false).send();
            for (int i = 0; i < 5; i++) {
        inbox.expect("bounded", "m" + i); // the oldest five are kept
            }
            pub.publish("bounded", "marker".getBytes(), 1, false);
            inbox.expect("bounded", "marker");
            assertEquals(3, small.metrics().get(Counter.DROPPED_OFFLINE_QUEUE_FULL));
            pub.disconnect();
            client.disconnect();
        }
    }

    @Test
    void offlineSessionUnloadedFromMemoryIsRebuiltFromItsJournal() throws Exception {
        try (TestBroker unloading = TestBroker.start(Map.of(
                "SHOAL_SESSION_PASSIVATE_AFTER", "100ms", "SHOAL_SESSION_SNAPSHOT_EVERY", "3"))) {
        Mqtt3BlockingClient client = Clients.hivemq(unloading, "unloaded");
            client.connectWith().cleanSession(false).send();
            client.subscribeWith().topicFilter("unloaded/a").qos(MqttQos.AT_LEAST_ONCE).send();
            client.subscribeWith().topicFilter("unloaded/b").qos(MqttQos.EXACTLY_ONCE).send();
            MqttClient pub = Clients.paho(unloading, "unloaded-pub", true);
            long unloaded = unloading.metrics().get(Counter.SESSIONS_UNLOADED);
            client.disconnect();
            for (int round = 0; round < 3; round++) {
        long before = unloaded;
                await().atMost(Duration.ofSeconds(10)).until(() -> unloading.metrics().get(Counter.SESSIONS_UNLOADED) > before);
                unloaded = unloading.metrics().get(Counter.SESSIONS_UNLOADED);
                // Each message wakes the session from its journal (and, past three events, its snapshot).
                pub.publish("unloaded/a", ("a" + round).getBytes(), 1, false);
                pub.publish("unloaded/b", ("b" + round).getBytes(), 2, false);
            }
            Inbox inbox = new Inbox();
            client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
            assertTrue(client.connectWith().cleanSession(false).send().isSessionPresent());
            for (int round = 0; round < 3; round++) {
        inbox.expect("unloaded/a", "a" + round);
                assertEquals(2, inbox.expect("unloaded/b", "b" + round).qos());
            }
            pub.disconnect();
            client.disconnect();
        }
    }

    @Test
    void qos0MessagesAreQueuedWhenConfigured() throws Exception {
        try (TestBroker queueing = TestBroker.start(Map.of("SHOAL_MQTT_QUEUE_QOS0_OFFLINE", "true"))) {
        Mqtt3BlockingClient client = Clients.hivemq(queueing, "q0-queued");
            client.connectWith().cleanSession(false).send();
            client.subscribeWith().topicFilter("q0").qos(MqttQos.AT_LEAST_ONCE).send();
            client.disconnect();
            MqttClient pub = Clients.paho(queueing, "q0-pub", true);
            pub.publish("q0", "kept".getBytes(), 0, false);
            Inbox inbox = new Inbox();
            client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
            client.connectWith().cleanSession(false).send();
            assertEquals(0, inbox.expect("q0", "kept").qos());
            pub.disconnect();
            client.disconnect();
        }
    }
}
