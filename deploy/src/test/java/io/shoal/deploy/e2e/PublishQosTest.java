package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PUBLISH at QoS 0, 1 and 2 in both directions, between two different client libraries. */
class PublishQosTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @ParameterizedTest(name = "publish QoS {0}, subscription QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    void pahoPublisherToHivemqSubscriber(int publishQos, int subscriptionQos) throws Exception {
        String topic = "qos/paho-to-hivemq/" + publishQos + subscriptionQos;
        Mqtt3BlockingClient subscriber = Clients.hivemq(broker, "hive-sub-" + publishQos + subscriptionQos);
        subscriber.connect();
        Inbox inbox = new Inbox();
        subscriber.toAsync().subscribeWith().topicFilter(topic).qos(MqttQos.fromCode(subscriptionQos))
                .callback(inbox).send().join();
        MqttClient publisher = Clients.paho(broker, "paho-pub-" + publishQos + subscriptionQos, true);

        publisher.publish(topic, "payload".getBytes(), publishQos, false);

        Inbox.Message received = inbox.expect(topic, "payload");
        assertEquals(Math.min(publishQos, subscriptionQos), received.qos(), "delivered at the lower of the two QoS");
        publisher.disconnect();
        subscriber.disconnect();
    }

    @ParameterizedTest(name = "publish QoS {0}, subscription QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    void hivemqPublisherToPahoSubscriber(int publishQos, int subscriptionQos) throws Exception {
        String topic = "qos/hivemq-to-paho/" + publishQos + subscriptionQos;
        MqttClient subscriber = Clients.paho(broker, "paho-sub-" + publishQos + subscriptionQos, true);
        Inbox inbox = new Inbox();
        subscriber.subscribe(topic, subscriptionQos, inbox);
        Mqtt3BlockingClient publisher = Clients.hivemq(broker, "hive-pub-" + publishQos + subscriptionQos);
        publisher.connect();

        publisher.publishWith().topic(topic).qos(MqttQos.fromCode(publishQos)).payload("payload".getBytes()).send();

        Inbox.Message received = inbox.expect(topic, "payload");
        assertEquals(Math.min(publishQos, subscriptionQos), received.qos());
        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void messagesOfOnePublisherArriveInOrderAtEachQos() throws Exception {
        MqttClient subscriber = Clients.paho(broker, "order-sub", true);
        Inbox inbox = new Inbox();
        subscriber.subscribe("qos/order/#", 2, inbox);
        MqttClient publisher = Clients.paho(broker, "order-pub", true);
        int count = 300;
        for (int i = 0; i < count; i++) {
        publisher.publish("qos/order/" + (i % 3), String.valueOf(i).getBytes(), i % 3, false);
        }
        // Ordering is per QoS level [MQTT-4.6.0-6]; across levels the client library reorders
        // (Paho hands a QoS 2 message to the application only after PUBREL).
        int[] last = {-1, -1, -1};
        for (int n = 0; n < count; n++) {
        Inbox.Message m = inbox.next();
            int i = Integer.parseInt(m.payload());
            assertEquals(i % 3, m.qos());
            int expected = last[m.qos()] == -1 ? m.qos() : last[m.qos()] + 3;
            assertEquals(expected, i, "QoS " + m.qos() + " messages out of order");
            last[m.qos()] = i;
        }
        publisher.disconnect();
        subscriber.disconnect();
    }
}
