package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.shoal.node.metrics.Counter;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Will messages, MQTT 3.1.1 section 3.1.2.5: published on every end of a connection but DISCONNECT. */
class WillTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    /** A QoS 2 subscriber to one will topic, for one test. */
    private static Inbox watch(String topic) {
        Inbox inbox = new Inbox();
        Mqtt3BlockingClient watcher = Clients.hivemq(broker, "watch-" + topic.replace('/', '-'), inbox);
        watcher.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
        return inbox;
    }

    @Test
    void willIsPublishedWhenTheNetworkConnectionIsLost() throws Exception {
        Inbox wills = watch("will/lost");
        long published = broker.metrics().get(Counter.WILLS_PUBLISHED);
        RawClient device = RawClient.connectedWithWill(broker.port(), "will-lost", 0, "will/lost", "lost", 1, false);
        device.dropConnection();
        wills.expect("will/lost", "lost");
        assertEquals(published + 1, broker.metrics().get(Counter.WILLS_PUBLISHED));
    }

    @Test
    void willIsPublishedOnKeepAliveTimeout() throws Exception {
        Inbox wills = watch("will/silent");
        try (RawClient device = RawClient.connectedWithWill(broker.port(), "will-silent", 1, "will/silent",
                "timed out", 1, false)) {
        wills.expect("will/silent", "timed out");
        }
    }

    @Test
    void willIsPublishedWhenTheBrokerClosesTheConnectionForAProtocolError() throws Exception {
        Inbox wills = watch("will/error");
        try (RawClient device = RawClient.connectedWithWill(broker.port(), "will-error", 0, "will/error",
                "broke the protocol", 1, false)) {
        // CONNACK is a server-to-client packet; a client sending it breaks the protocol.
            device.send(new MqttConnAckMessage(
                    new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
                    new MqttConnAckVariableHeader(
                            MqttConnectReturnCode.CONNECTION_ACCEPTED, false)));
            wills.expect("will/error", "broke the protocol");
        }
    }

    @Test
    void willIsNotPublishedAfterDisconnect() throws Exception {
        Inbox wills = watch("will/clean");
        MqttClient device = pahoWithWill("will-clean", "will/clean", "must not appear", 1, false);
        device.disconnect(); // sends DISCONNECT [MQTT-3.14.4-3]
        try (RawClient marker = RawClient.connectedWithWill(broker.port(), "will-marker", 0, "will/clean",
                "marker", 1, false)) {
        marker.dropConnection();
        }
        wills.expect("will/clean", "marker");
    }

    @Test
    void pahoClientClosingWithoutDisconnectLeavesItsWill() throws Exception {
        Inbox wills = watch("will/paho");
        MqttClient device = pahoWithWill("will-paho", "will/paho", "paho went away", 1, false);
        device.disconnectForcibly(0, 1000, false); // close the socket without sending DISCONNECT
        wills.expect("will/paho", "paho went away");
        device.close();
    }

    @Test
    void willRetainAndWillQosAreHonoured() throws Exception {
        Inbox wills = watch("will/retained");
        RawClient device = RawClient.connectedWithWill(broker.port(), "will-retained", 0, "will/retained",
                "kept", 1, true);
        device.dropConnection();
        assertEquals(1, wills.expect("will/retained", "kept").qos(), "will QoS 1 to a QoS 2 subscriber");

        Inbox late = new Inbox();
        Mqtt3BlockingClient latecomer = Clients.hivemq(broker, "will-latecomer", late);
        latecomer.subscribeWith().topicFilter("will/retained").qos(MqttQos.EXACTLY_ONCE).send();
        Inbox.Message retained = late.expect("will/retained", "kept");
        assertTrue(retained.retained());
        assertEquals(1, retained.qos());
        latecomer.disconnect();
    }

    @Test
    void willQos0IsDeliveredAtQos0() throws Exception {
        Inbox wills = watch("will/q0");
        RawClient device = RawClient.connectedWithWill(broker.port(), "will-q0", 0, "will/q0", "at most once", 0, false);
        device.dropConnection();
        assertEquals(0, wills.expect("will/q0", "at most once").qos());
    }

    @Test
    void willOfAConnectionTakenOverIsPublished() throws Exception {
        Inbox wills = watch("will/takeover");
        pahoWithWill("will-takeover", "will/takeover", "replaced", 1, false);
        MqttClient replacement = Clients.paho(broker, "will-takeover", true);
        wills.expect("will/takeover", "replaced");
        replacement.disconnect();
    }

    private static MqttClient pahoWithWill(String clientId, String topic, String payload, int qos, boolean retain)
            throws Exception {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        MqttConnectOptions options = Clients.pahoOptions(true);
        options.setWill(topic, payload.getBytes(), qos, retain);
        client.connect(options);
        return client;
    }
}
