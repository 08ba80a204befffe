package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.shoal.deploy.e2e.Clients;
import io.shoal.deploy.e2e.Inbox;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 3.1.1 and MQTT 5 clients on the same topics: 3.1.1 subscribers get MQTT 5 messages without
 * their properties, MQTT 5 subscribers get 3.1.1 messages without any; QoS and retain semantics
 * are the same both ways.
 */
class Mqtt311InteropTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void mqtt5MessageReachesMqtt311SubscribersWithoutProperties() throws Exception {
        Inbox paho = new Inbox();
        Inbox hivemq3 = new Inbox();
        org.eclipse.paho.client.mqttv3.MqttClient pahoSubscriber = Clients.paho(broker, "interop-paho3", true);
        Mqtt3BlockingClient hivemqSubscriber = Clients.hivemq(broker, "interop-hivemq3", hivemq3);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "interop-publisher5", new Inbox5());
        try (RawClient raw = RawClient.connected(broker.port(), "interop-raw3", true)) {
            pahoSubscriber.subscribe("interop/a/#", 2, paho);
            hivemqSubscriber.subscribeWith().topicFilter("interop/a/#").qos(MqttQos.AT_LEAST_ONCE).send();
            raw.subscribe(1, "interop/a/#", 0);

            publisher.publishWith().topic("interop/a/temp").qos(MqttQos.EXACTLY_ONCE)
                    .payload("21.5".getBytes(StandardCharsets.UTF_8))
                    .contentType("text/plain").responseTopic("interop/reply").correlationData(new byte[]{1})
                    .messageExpiryInterval(600).userProperties().add("unit", "C").applyUserProperties()
                    .send();

            Inbox.Message viaPaho = paho.expect("interop/a/temp", "21.5");
            assertEquals(2, viaPaho.qos());
            Inbox.Message viaHivemq = hivemq3.expect("interop/a/temp", "21.5");
            assertEquals(1, viaHivemq.qos(), "downgraded to the subscription's QoS");
            // The bare 3.1.1 client decodes the PUBLISH as 3.1.1: properties would corrupt the
            // payload it reads, so an exact payload shows there were none.
            RawClient.Received viaRaw = raw.receivePublish();
            assertEquals("interop/a/temp", viaRaw.topic());
            assertEquals("21.5", viaRaw.payload());
            assertEquals(0, viaRaw.qos());
        } finally {
            publisher.disconnect();
            hivemqSubscriber.disconnect();
            pahoSubscriber.disconnect();
            pahoSubscriber.close();
        }
    }

    @Test
    void mqtt311MessageReachesMqtt5SubscribersWithoutProperties() throws Exception {
        Inbox5 hivemq5 = new Inbox5();
        Inbox5 paho5 = new Inbox5();
        Mqtt5BlockingClient hivemqSubscriber = Clients5.hivemq(broker, "interop-hivemq5", hivemq5);
        org.eclipse.paho.mqttv5.client.MqttClient pahoSubscriber = Clients5.paho(broker, "interop-paho5");
        pahoSubscriber.connect(Clients5.pahoOptions());
        org.eclipse.paho.client.mqttv3.MqttClient publisher = Clients.paho(broker, "interop-publisher3", true);
        try {
            hivemqSubscriber.subscribeWith().topicFilter("interop/b/+").qos(MqttQos.EXACTLY_ONCE).send();
            pahoSubscriber.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[]{
                    new org.eclipse.paho.mqttv5.common.MqttSubscription("interop/b/+", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{paho5});
            publisher.publish("interop/b/door", "open".getBytes(StandardCharsets.UTF_8), 2, false);

            Inbox5.Message m = hivemq5.expect("interop/b/door", "open");
            assertEquals(2, m.qos());
            assertFalse(m.retain());
            assertNull(m.messageExpiry());
            assertNull(m.contentType());
            assertNull(m.responseTopic());
            assertNull(m.correlationData());
            assertNull(m.utf8Payload());
            assertEquals(List.of(), m.userProperties());
            Inbox5.Message p = paho5.expect("interop/b/door", "open");
            assertEquals(1, p.qos());
            assertEquals(List.of(), p.userProperties());
        } finally {
            publisher.disconnect();
            publisher.close();
            pahoSubscriber.disconnect();
            pahoSubscriber.close();
            hivemqSubscriber.disconnect();
        }
    }

    @Test
    void retainedMessagesCrossProtocolLevelsBothWays() throws Exception {
        Mqtt5BlockingClient publisher5 = Clients5.hivemq(broker, "interop-retain-publisher5", new Inbox5());
        org.eclipse.paho.client.mqttv3.MqttClient publisher3 = Clients.paho(broker, "interop-retain-publisher3", true);
        publisher5.publishWith().topic("interop/c/from5").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("five".getBytes(StandardCharsets.UTF_8)).userProperties().add("k", "v").applyUserProperties()
                .send();
        publisher3.publish("interop/c/from3", "three".getBytes(StandardCharsets.UTF_8), 1, true);
        Inbox v3 = new Inbox();
        Inbox5 v5 = new Inbox5();
        org.eclipse.paho.client.mqttv3.MqttClient subscriber3 = Clients.paho(broker, "interop-retain-sub3", true);
        Mqtt5BlockingClient subscriber5 = Clients5.hivemq(broker, "interop-retain-sub5", v5);
        try {
            subscriber3.subscribe("interop/c/from5", 1, v3);
            Inbox.Message to3 = v3.expect("interop/c/from5", "five");
            assertTrue(to3.retained());
            assertEquals(1, to3.qos());

            subscriber5.subscribeWith().topicFilter("interop/c/from3").qos(MqttQos.AT_LEAST_ONCE).send();
            Inbox5.Message to5 = v5.expect("interop/c/from3", "three");
            assertTrue(to5.retain());
            assertEquals(List.of(), to5.userProperties());

            // The MQTT 5 message keeps its properties for MQTT 5 subscribers.
            subscriber5.subscribeWith().topicFilter("interop/c/from5").qos(MqttQos.AT_LEAST_ONCE).send();
            assertEquals(List.of("k=v"), v5.expect("interop/c/from5", "five").userProperties());
        } finally {
            publisher5.publishWith().topic("interop/c/from5").retain(true).send();
            publisher3.publish("interop/c/from3", new byte[0], 1, true);
            subscriber5.disconnect();
            subscriber3.disconnect();
            subscriber3.close();
            publisher3.disconnect();
            publisher3.close();
            publisher5.disconnect();
        }
    }

    @Test
    void mqtt5WillReachesMqtt311Subscriber() throws Exception {
        Inbox v3 = new Inbox();
        org.eclipse.paho.client.mqttv3.MqttClient subscriber = Clients.paho(broker, "interop-will-sub3", true);
        try {
            subscriber.subscribe("interop/d/status", 1, v3);
            Mqtt5BlockingClient device = Clients5.hivemq(broker, "interop-will-device5");
            device.connectWith().willPublish().topic("interop/d/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("offline".getBytes(StandardCharsets.UTF_8)).contentType("text/plain")
                    .applyWillPublish().send();
            device.disconnectWith().reasonCode(
                    com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                    .send();
            Inbox.Message will = v3.expect("interop/d/status", "offline");
            assertEquals(1, will.qos());
        } finally {
            subscriber.disconnect();
            subscriber.close();
        }
    }
}
