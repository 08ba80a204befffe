package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retained messages, MQTT 3.1.1 section 3.3.1.3. */
class RetainedTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        publisher = Clients.paho(broker, "retain-pub", true);
    }

    @AfterAll
    static void stop() throws Exception {
        publisher.disconnect();
    }

    @Test
    void retainedMessageIsSentToNewSubscribersWithTheRetainFlag() throws Exception {
        publisher.publish("ret/basic", "stored".getBytes(), 1, true);
        MqttClient client = Clients.paho(broker, "ret-basic", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/basic", 1, inbox);
        assertTrue(inbox.expect("ret/basic", "stored").retained(), "retained on SUBSCRIBE [MQTT-3.3.1-8]");
        // A message that arrives through an established subscription has RETAIN 0 [MQTT-3.3.1-9].
        publisher.publish("ret/basic", "live".getBytes(), 1, true);
        assertFalse(inbox.expect("ret/basic", "live").retained());
        client.disconnect();
    }

    @Test
    void newerRetainedMessageReplacesTheOlder() throws Exception {
        publisher.publish("ret/replace", "v1".getBytes(), 1, true);
        publisher.publish("ret/replace", "v2".getBytes(), 1, true);
        MqttClient client = Clients.paho(broker, "ret-replace", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/replace", 1, inbox);
        inbox.expect("ret/replace", "v2");
        publisher.publish("ret/replace", "marker".getBytes(), 1, false);
        inbox.expect("ret/replace", "marker");
        client.disconnect();
    }

    @Test
    void emptyRetainedPayloadDeletesTheRetainedMessageAndIsStillForwarded() throws Exception {
        publisher.publish("ret/delete", "to be deleted".getBytes(), 1, true);
        MqttClient current = Clients.paho(broker, "ret-delete-current", true);
        Inbox currentInbox = new Inbox();
        current.subscribe("ret/delete", 1, currentInbox);
        currentInbox.expect("ret/delete", "to be deleted");

        publisher.publish("ret/delete", new byte[0], 1, true);
        currentInbox.expect("ret/delete", ""); // processed as normal for existing subscribers

        MqttClient later = Clients.paho(broker, "ret-delete-later", true);
        Inbox laterInbox = new Inbox();
        later.subscribe("ret/delete", 1, laterInbox);
        publisher.publish("ret/delete", "marker".getBytes(), 1, false);
        laterInbox.expect("ret/delete", "marker"); // nothing retained any more [MQTT-3.3.1-10]
        current.disconnect();
        later.disconnect();
    }

    @Test
    void wildcardSubscriptionsReceiveEveryMatchingRetainedMessage() throws Exception {
        publisher.publish("ret/wild/a", "a".getBytes(), 1, true);
        publisher.publish("ret/wild/b", "b".getBytes(), 1, true);
        publisher.publish("ret/wild/b/deep", "deep".getBytes(), 1, true);
        publisher.publish("ret/other", "other".getBytes(), 1, true);

        Mqtt3BlockingClient plus = Clients.hivemq(broker, "ret-plus");
        plus.connect();
        Inbox plusInbox = new Inbox();
        plus.toAsync().subscribeWith().topicFilter("ret/wild/+").qos(MqttQos.AT_LEAST_ONCE).callback(plusInbox)
                .send().join();
        assertEquals(java.util.Set.of("ret/wild/a", "ret/wild/b"),
                java.util.Set.of(plusInbox.next().topic(), plusInbox.next().topic()));

        Mqtt3BlockingClient hash = Clients.hivemq(broker, "ret-hash");
        hash.connect();
        Inbox hashInbox = new Inbox();
        hash.toAsync().subscribeWith().topicFilter("ret/wild/#").qos(MqttQos.AT_LEAST_ONCE).callback(hashInbox)
                .send().join();
        java.util.Set<String> topics = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
        Inbox.Message m = hashInbox.next();
            assertTrue(m.retained());
            topics.add(m.topic());
        }
        assertEquals(java.util.Set.of("ret/wild/a", "ret/wild/b", "ret/wild/b/deep"), topics);
        plus.disconnect();
        hash.disconnect();
    }

    @Test
    void retainedMessagesAreSentAgainOnAnIdenticalResubscribe() throws Exception {
        publisher.publish("ret/again", "again".getBytes(), 1, true);
        MqttClient client = Clients.paho(broker, "ret-again", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/again", 1, inbox);
        inbox.expect("ret/again", "again");
        client.subscribe("ret/again", 1, inbox); // [MQTT-3.8.4-3]: re-sent in 3.1.1
        assertTrue(inbox.expect("ret/again", "again").retained());
        client.disconnect();
    }

    @Test
    void qos0RetainedMessageReplacesTheRetainedMessage() throws Exception {
        publisher.publish("ret/q0", "qos1".getBytes(), 1, true);
        publisher.publish("ret/q0", "qos0".getBytes(), 0, true); // [MQTT-3.3.1-7]
        MqttClient client = Clients.paho(broker, "ret-q0", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/q0", 2, inbox);
        assertEquals(0, inbox.expect("ret/q0", "qos0").qos());
        client.disconnect();
    }

    @Test
    void publishWithoutRetainLeavesTheRetainedMessageAlone() throws Exception {
        publisher.publish("ret/untouched", "retained".getBytes(), 1, true);
        publisher.publish("ret/untouched", "not retained".getBytes(), 1, false); // [MQTT-3.3.1-12]
        MqttClient client = Clients.paho(broker, "ret-untouched", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/untouched", 1, inbox);
        inbox.expect("ret/untouched", "retained");
        client.disconnect();
    }

    @Test
    void retainedMessageIsDeliveredAtTheLowerOfItsQosAndTheGrantedQos() throws Exception {
        publisher.publish("ret/qos", "q2".getBytes(), 2, true);
        MqttClient client = Clients.paho(broker, "ret-qos", true);
        Inbox inbox = new Inbox();
        client.subscribe("ret/qos", 1, inbox);
        assertEquals(1, inbox.expect("ret/qos", "q2").qos());
        client.disconnect();
    }
}
