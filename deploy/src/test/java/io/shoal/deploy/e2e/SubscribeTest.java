package io.shoal.deploy.e2e;

import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SUBSCRIBE and UNSUBSCRIBE, MQTT 3.1.1 sections 3.8, 3.10 and 4.7. Absence of a message is shown
 * with a marker: a message that does match is published afterwards and must be the next to arrive.
 */
class SubscribeTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        publisher = Clients.paho(broker, "sub-test-pub", true);
    }

    @AfterAll
    static void stop() throws Exception {
        publisher.disconnect();
    }

    @Test
    void singleLevelWildcardMatchesExactlyOneLevel() throws Exception {
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient client = Clients.hivemq(broker, "plus", inbox);
        client.subscribeWith().topicFilter("plus/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        publish("plus/room1/temp", "yes");
        publish("plus/room1/x/temp", "no: two levels");
        publish("plus/temp", "no: zero levels");
        publish("plus//temp", "yes: empty level");
        inbox.expect("plus/room1/temp", "yes");
        inbox.expect("plus//temp", "yes: empty level");
        client.disconnect();
    }

    @Test
    void multiLevelWildcardMatchesTheParentAndEverythingBelow() throws Exception {
        MqttClient client = Clients.paho(broker, "hash", true);
        Inbox inbox = new Inbox();
        client.subscribe("hash/a/#", 1, inbox);
        publish("hash/a", "parent");
        publish("hash/b", "no");
        publish("hash/a/b", "child");
        publish("hash/a/b/c", "grandchild");
        inbox.expect("hash/a", "parent");
        inbox.expect("hash/a/b", "child");
        inbox.expect("hash/a/b/c", "grandchild");
        client.disconnect();
    }

    @Test
    void dollarTopicsAreNotMatchedByFiltersStartingWithAWildcard() throws Exception {
        Inbox wild = new Inbox();
        Mqtt3BlockingClient wildcards = Clients.hivemq(broker, "dollar-wild", wild);
        wildcards.subscribeWith()
                .addSubscription().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("+/monitor/x").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .send();
        Inbox dollar = new Inbox();
        Mqtt3BlockingClient explicit = Clients.hivemq(broker, "dollar-explicit", dollar);
        explicit.subscribeWith().topicFilter("$SYS/#").qos(MqttQos.AT_LEAST_ONCE).send();

        publish("$SYS/monitor/x", "system");
        publish("dollar/marker", "marker");

        dollar.expect("$SYS/monitor/x", "system");
        // '#' receives everything else published meanwhile, but never the $SYS message [MQTT-4.7.2-1].
        Inbox.Message m;
        do {
        m = wild.next();
            assertFalse(m.topic().startsWith("$"), "wildcard filter matched " + m.topic());
        } while (!m.topic().equals("dollar/marker"));
        wildcards.disconnect();
        explicit.disconnect();
    }

    @Test
    void grantedQosIsTheRequestedQos() throws Exception {
        Mqtt3BlockingClient client = Clients.hivemq(broker, "granted");
        client.connect();
        Mqtt3SubAck ack = client.subscribeWith()
                .addSubscription().topicFilter("granted/0").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                .addSubscription().topicFilter("granted/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("granted/2").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .send();
        assertEquals(List.of(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_0, Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1,
                Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_2), ack.getReturnCodes());
        client.disconnect();
    }

    @Test
    void grantedQosIsCappedAtTheBrokerMaximum() throws Exception {
        try (TestBroker capped = TestBroker.start(Map.of("SHOAL_MQTT_MAX_QOS", "1"))) {
        Mqtt3BlockingClient client = Clients.hivemq(capped, "capped");
            client.connect();
            Inbox inbox = new Inbox();
            Mqtt3SubAck ack = client.toAsync().subscribeWith().topicFilter("capped/t").qos(MqttQos.EXACTLY_ONCE)
                    .callback(inbox).send().join();
            assertEquals(List.of(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1), ack.getReturnCodes());
            client.publishWith().topic("capped/t").qos(MqttQos.EXACTLY_ONCE).payload("x".getBytes()).send();
            assertEquals(1, inbox.expect("capped/t", "x").qos());
            client.disconnect();
        }
    }

    @Test
    void invalidFilterGets0x80WhileTheOthersInTheSamePacketAreGranted() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "invalid-filter", true)) {
        client.send(MqttMessageBuilders.subscribe().messageId(3)
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "ok/+")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "bad/#/x")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "bad+")
                    .build());
            MqttSubAckMessage ack = (MqttSubAckMessage) client.receive();
            assertEquals(3, ack.variableHeader().messageId());
            assertEquals(List.of(1, 0x80, 0x80), ack.payload().reasonCodes());
            publish("ok/1", "granted filter works");
            assertEquals("granted filter works", client.receivePublish().payload());
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOnceAtTheHighestQos() throws Exception {
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient client = Clients.hivemq(broker, "overlap", inbox);
        client.subscribeWith()
                .addSubscription().topicFilter("overlap/#").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                .addSubscription().topicFilter("overlap/+").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .addSubscription().topicFilter("overlap/a").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .send();
        publisher.publish("overlap/a", "once".getBytes(), 2, false);
        publisher.publish("overlap/a", "marker".getBytes(), 0, false);
        assertEquals(2, inbox.expect("overlap/a", "once").qos());
        inbox.expect("overlap/a", "marker");
        client.disconnect();
    }

    @Test
    void resubscribingReplacesTheSubscription() throws Exception {
        MqttClient client = Clients.paho(broker, "replace", true);
        Inbox inbox = new Inbox();
        client.subscribe("replace/t", 2, inbox);
        client.subscribe("replace/t", 0, inbox);
        publisher.publish("replace/t", "now at QoS 0".getBytes(), 2, false);
        publisher.publish("replace/t", "marker".getBytes(), 0, false);
        assertEquals(0, inbox.expect("replace/t", "now at QoS 0").qos());
        inbox.expect("replace/t", "marker");
        client.disconnect();
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        MqttClient client = Clients.paho(broker, "unsub", true);
        Inbox inbox = new Inbox();
        client.subscribe(new String[] {"unsub/gone", "unsub/kept"}, new int[] {1, 1},
                new IMqttMessageListener[] {inbox, inbox});
        publish("unsub/gone", "before");
        inbox.expect("unsub/gone", "before");
        client.unsubscribe("unsub/gone");
        publish("unsub/gone", "after");
        publish("unsub/kept", "marker");
        inbox.expect("unsub/kept", "marker");
        client.disconnect();
    }

    @Test
    void unsubscribingAFilterThatWasNeverSubscribedIsAcknowledged() throws Exception {
        MqttClient client = Clients.paho(broker, "unsub-unknown", true);
        client.unsubscribe("never/subscribed"); // returns once UNSUBACK arrives [MQTT-3.10.4-5]
        assertTrue(client.isConnected());
        client.disconnect();
    }

    @Test
    void topicsAreCaseSensitive() throws Exception {
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient client = Clients.hivemq(broker, "case", inbox);
        client.subscribeWith().topicFilter("case/Room").qos(MqttQos.AT_LEAST_ONCE).send();
        publish("case/room", "other topic");
        publish("case/Room", "same topic");
        inbox.expect("case/Room", "same topic"); // [MQTT-4.7.3-4]
        client.disconnect();
    }

    private static void publish(String topic, String payload) throws Exception {
        publisher.publish(topic, payload.getBytes(), 1, false);
    }
}
