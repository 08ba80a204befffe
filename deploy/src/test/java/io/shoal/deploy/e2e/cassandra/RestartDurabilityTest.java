package io.shoal.deploy.e2e.cassandra;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.shoal.deploy.e2e.Clients;
import io.shoal.deploy.e2e.Inbox;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.deploy.e2e.mqtt5.Clients5;
import io.shoal.deploy.e2e.mqtt5.Inbox5;
import io.shoal.persistence.testkit.CassandraExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on Cassandra stopped and started again (gracefully; the packaged-jar IT kills one): what
 * was stored before is all there afterwards, as real clients see it.
 */
class RestartDurabilityTest {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    private final List<TestBroker> brokers = new ArrayList<>();

    @AfterEach
    void stopBrokers() {
        brokers.forEach(TestBroker::close);
    }

    private TestBroker start() {
        TestBroker broker = CassandraBroker.start(cassandra);
        brokers.add(broker);
        return broker;
    }

    private void stop(TestBroker broker) {
        brokers.remove(broker);
        broker.close();
    }

    @Test
    void persistentSessionGetsItsSubscriptionsAndEveryQueuedMessageInOrderAfterARestart() throws Exception {
        TestBroker before = start();
        Mqtt3BlockingClient device = Clients.hivemq(before, "restart-device");
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("fleet/7/cmd/#").qos(MqttQos.EXACTLY_ONCE).send();
        device.disconnect();
        MqttClient publisher = Clients.paho(before, "restart-publisher", true);
        for (int i = 0; i < 40; i++) {
            publisher.publish("fleet/7/cmd/" + i % 3, ("before " + i).getBytes(StandardCharsets.UTF_8), 1 + i % 2, false);
        }
        publisher.disconnect();
        stop(before);

        TestBroker after = start();
        publisher = Clients.paho(after, "restart-publisher", true);
        for (int i = 0; i < 40; i++) {
            publisher.publish("fleet/7/cmd/" + i % 3, ("after " + i).getBytes(StandardCharsets.UTF_8), 1 + i % 2, false);
        }

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient resumed = Clients.hivemq(after, "restart-device");
        resumed.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertTrue(resumed.connectWith().cleanSession(false).send().isSessionPresent(), "session present after restart");
        for (String phase : List.of("before ", "after ")) {
            for (int i = 0; i < 40; i++) {
                Inbox.Message m = inbox.expect("fleet/7/cmd/" + i % 3, phase + i);
                assertEquals(1 + i % 2, m.qos());
            }
        }
        // The subscription itself came through the restart too.
        publisher.publish("fleet/7/cmd/live", "live".getBytes(StandardCharsets.UTF_8), 1, false);
        inbox.expect("fleet/7/cmd/live", "live");
        inbox.assertEmpty();
        resumed.disconnect();
        publisher.disconnect();
    }

    @Test
    void retainedMessagesSurviveARestartAndAreFoundByWildcards() throws Exception {
        TestBroker before = start();
        MqttClient publisher = Clients.paho(before, "retain-publisher", true);
        publisher.publish("site/1/temp", "20".getBytes(StandardCharsets.UTF_8), 1, true);
        publisher.publish("site/1/temp", "21".getBytes(StandardCharsets.UTF_8), 1, true); // replaces
        publisher.publish("site/2/temp", "18".getBytes(StandardCharsets.UTF_8), 1, true);
        publisher.publish("site/3/temp", "9".getBytes(StandardCharsets.UTF_8), 1, true);
        publisher.publish("site/3/temp", new byte[0], 1, true); // deletes
        publisher.publish("site/2/door", "closed".getBytes(StandardCharsets.UTF_8), 0, true);
        publisher.disconnect();
        stop(before);

        TestBroker after = start();
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient reader = Clients.hivemq(after, "retain-reader", inbox);
        reader.subscribeWith().topicFilter("site/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        List<String> temps = new ArrayList<>(List.of(describe(inbox.next()), describe(inbox.next())));
        temps.sort(String::compareTo);
        assertEquals(List.of("site/1/temp 21 retain", "site/2/temp 18 retain"), temps);
        reader.subscribeWith().topicFilter("site/2/#").qos(MqttQos.AT_LEAST_ONCE).send();
        List<String> site2 = new ArrayList<>(List.of(describe(inbox.next()), describe(inbox.next())));
        site2.sort(String::compareTo);
        assertEquals(List.of("site/2/door closed retain", "site/2/temp 18 retain"), site2);
        inbox.assertEmpty();
        reader.disconnect();
    }

    @Test
    void expiredRetainedMessageIsGoneAfterARestart() throws Exception {
        TestBroker before = start();
        Mqtt5BlockingClient publisher = Clients5.hivemq(before, "expiring-publisher");
        publisher.connect();
        publisher.publishWith().topic("expiring/short").payload("soon gone".getBytes(StandardCharsets.UTF_8))
                .retain(true).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1).send();
        publisher.publishWith().topic("expiring/long").payload("still here".getBytes(StandardCharsets.UTF_8))
                .retain(true).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(3600).send();
        publisher.disconnect();
        stop(before);
        long storedAt = System.currentTimeMillis();

        TestBroker after = start();
        // The short one's interval may not have passed yet if the restart was quick: wait it out.
        org.awaitility.Awaitility.await().until(() -> System.currentTimeMillis() - storedAt > 1500);
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient reader = Clients5.hivemq(after, "expiring-reader", inbox);
        reader.subscribeWith().topicFilter("expiring/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Inbox5.Message m = inbox.expect("expiring/long", "still here");
        assertTrue(m.messageExpiry() <= 3600 && m.messageExpiry() > 3500, "remaining interval " + m);
        assertTrue(inbox.poll(Duration.ofMillis(500)) == null, "the expired retained message must not come back");
        reader.disconnect();
    }

    @Test
    void willDelayAndSessionExpiryStillFireAfterARestart() throws Exception {
        TestBroker before = start();
        Mqtt3BlockingClient watcher = Clients.hivemq(before, "timers-watcher");
        watcher.connectWith().cleanSession(false).send();
        watcher.subscribeWith().topicFilter("timers/will").qos(MqttQos.AT_LEAST_ONCE).send();
        watcher.disconnect();
        Mqtt5BlockingClient device = Clients5.hivemq(before, "timers-device");
        device.connectWith().cleanStart(true).sessionExpiryInterval(6)
                .willPublish().topic("timers/will").payload("device gone".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).delayInterval(3).applyWillPublish().send();

        // The node stops with the device connected: its connection ends without a DISCONNECT, so the
        // will waits 3 s and the session 6 s, across the restart.
        long stoppedAt = System.currentTimeMillis();
        stop(before);
        TestBroker after = start();

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient resumed = Clients.hivemq(after, "timers-watcher");
        resumed.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        resumed.connectWith().cleanSession(false).send();
        inbox.expect("timers/will", "device gone");
        assertTrue(System.currentTimeMillis() - stoppedAt >= 3000, "the will waited for its delay");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> after.metrics().get(io.shoal.node.metrics.Counter.SESSIONS_EXPIRED) == 1);
        assertTrue(System.currentTimeMillis() - stoppedAt >= 6000, "the session lived its expiry interval");
        Mqtt5BlockingClient again = Clients5.hivemq(after, "timers-device");
        assertFalse(again.connectWith().cleanStart(false).send().isSessionPresent(), "the session expired");
        again.disconnect();
        resumed.disconnect();
    }

    private static String describe(Inbox.Message m) {
        return m.topic() + " " + m.payload() + (m.retained() ? " retain" : "");
    }
}
