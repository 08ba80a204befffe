package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.shoal.node.metrics.Counter;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A second CONNECT with a client identifier already connected takes the session over [MQTT-3.1.4-2]. */
class TakeoverTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        publisher = Clients.paho(broker, "takeover-pub", true);
    }

    @AfterAll
    static void stop() throws Exception {
        publisher.disconnect();
    }

    @Test
    void secondConnectionClosesTheFirst() throws Exception {
        long takenOver = broker.metrics().get(Counter.SESSIONS_TAKEN_OVER);
        MqttClient first = Clients.paho(broker, "twin", true);
        CountDownLatch lost = new CountDownLatch(1);
        first.setCallback(new MqttCallback() {
        @Override
            public void connectionLost(Throwable cause) {
        lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
        }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
        }
        });
        MqttClient second = Clients.paho(broker, "twin", true);
        assertTrue(lost.await(10, TimeUnit.SECONDS), "first connection closed");
        assertTrue(second.isConnected());
        assertFalse(first.isConnected());
        assertEquals(takenOver + 1, broker.metrics().get(Counter.SESSIONS_TAKEN_OVER));
        second.disconnect();
    }

    @Test
    void persistentSessionContinuesOnTheNewConnection() throws Exception {
        Mqtt3BlockingClient first = Clients.hivemq(broker, "mover");
        first.connectWith().cleanSession(false).send();
        first.subscribeWith().topicFilter("takeover/moved").qos(MqttQos.AT_LEAST_ONCE).send();

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient second = Clients.hivemq(broker, "mover");
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertTrue(second.connectWith().cleanSession(false).send().isSessionPresent());

        publisher.publish("takeover/moved", "to the new connection".getBytes(), 1, false);
        inbox.expect("takeover/moved", "to the new connection");
        second.disconnect();
    }

    @Test
    void unacknowledgedMessagesMoveToTheNewConnection() throws Exception {
        try (RawClient first = RawClient.connected(broker.port(), "inflight-mover", false)) {
        first.subscribe(1, "takeover/inflight", 1);
            publisher.publish("takeover/inflight", "in flight".getBytes(), 1, false);
            RawClient.Received unacked = first.receivePublish();

            try (RawClient second = new RawClient(broker.port())) {
        assertTrue(second.connect("inflight-mover", false, 0).variableHeader().isSessionPresent());
                RawClient.Received again = second.receivePublish();
                assertEquals("in flight", again.payload());
                assertEquals(unacked.packetId(), again.packetId());
                assertTrue(again.dup());
                second.ack(MqttMessageType.PUBACK, again.packetId());
                assertTrue(first.awaitClosed(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void cleanTakeoverOfAPersistentSessionDiscardsIt() throws Exception {
        Mqtt3BlockingClient first = Clients.hivemq(broker, "clean-mover");
        first.connectWith().cleanSession(false).send();
        first.subscribeWith().topicFilter("takeover/old").qos(MqttQos.AT_LEAST_ONCE).send();

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient second = Clients.hivemq(broker, "clean-mover");
        second.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertFalse(second.connectWith().cleanSession(true).send().isSessionPresent());
        second.subscribeWith().topicFilter("takeover/new").qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.publish("takeover/old", "old subscription is gone".getBytes(), 1, false);
        publisher.publish("takeover/new", "marker".getBytes(), 1, false);
        inbox.expect("takeover/new", "marker");
        second.disconnect();
    }
}
