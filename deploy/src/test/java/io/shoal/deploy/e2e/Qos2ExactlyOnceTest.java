package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** QoS 2 exactly once on the inbound side, MQTT 3.1.1 section 4.3.3. */
class Qos2ExactlyOnceTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void resentPublishBeforePubrelIsForwardedOnce() throws Exception {
        MqttClient subscriber = Clients.paho(broker, "eo-sub", true);
        Inbox inbox = new Inbox();
        subscriber.subscribe("eo/once", 2, inbox);
        try (RawClient publisher = RawClient.connected(broker.port(), "eo-pub", true)) {
        publisher.publish("eo/once", "only once", 2, 7, false);
            expectAck(publisher, MqttMessageType.PUBREC, 7);
            publisher.publish("eo/once", "only once", 2, 7, true); // the client did not see PUBREC
            expectAck(publisher, MqttMessageType.PUBREC, 7);
            publisher.ack(MqttMessageType.PUBREL, 7);
            expectAck(publisher, MqttMessageType.PUBCOMP, 7);
            // The same packet id, released, is a new message now.
            publisher.publish("eo/once", "next", 2, 7, false);
            expectAck(publisher, MqttMessageType.PUBREC, 7);
            publisher.ack(MqttMessageType.PUBREL, 7);
            expectAck(publisher, MqttMessageType.PUBCOMP, 7);
        }
        // The DUP flag of the publisher's re-send does not travel to subscribers [MQTT-3.3.1-3].
        assertFalse(inbox.expect("eo/once", "only once").dup());
        inbox.expect("eo/once", "next");
        subscriber.disconnect();
    }

    @Test
    void exactlyOnceHoldsAcrossAReconnectOfAPersistentSession() throws Exception {
        MqttClient subscriber = Clients.paho(broker, "eo-sub-2", true);
        Inbox inbox = new Inbox();
        subscriber.subscribe("eo/reconnect", 2, inbox);
        try (RawClient publisher = RawClient.connected(broker.port(), "eo-pub-2", false)) {
        publisher.publish("eo/reconnect", "survives", 2, 9, false);
            expectAck(publisher, MqttMessageType.PUBREC, 9);
            publisher.dropConnection();
        }
        try (RawClient publisher = RawClient.connected(broker.port(), "eo-pub-2", false)) {
        publisher.publish("eo/reconnect", "survives", 2, 9, true);
            expectAck(publisher, MqttMessageType.PUBREC, 9);
            publisher.ack(MqttMessageType.PUBREL, 9);
            expectAck(publisher, MqttMessageType.PUBCOMP, 9);
            publisher.publish("eo/reconnect", "marker", 1, 10, false);
            expectAck(publisher, MqttMessageType.PUBACK, 10);
        }
        inbox.expect("eo/reconnect", "survives");
        inbox.expect("eo/reconnect", "marker");
        subscriber.disconnect();
    }

    @Test
    void pubrelForAnUnknownPacketIdIsStillCompleted() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "eo-unknown", true)) {
        client.ack(MqttMessageType.PUBREL, 4242);
            expectAck(client, MqttMessageType.PUBCOMP, 4242);
        }
    }

    @Test
    void outboundQos2RunsTheFourPacketFlow() throws Exception {
        try (RawClient subscriber = RawClient.connected(broker.port(), "eo-out-sub", true)) {
        subscriber.subscribe(1, "eo/out", 2);
            MqttClient publisher = Clients.paho(broker, "eo-out-pub", true);
            publisher.publish("eo/out", "four packets".getBytes(), 2, false);
            RawClient.Received publish = subscriber.receivePublish();
            assertEquals(2, publish.qos());
            subscriber.ack(MqttMessageType.PUBREC, publish.packetId());
            expectAck(subscriber, MqttMessageType.PUBREL, publish.packetId());
            subscriber.ack(MqttMessageType.PUBCOMP, publish.packetId());
            publisher.publish("eo/out", "again".getBytes(), 2, false);
            assertEquals("again", subscriber.receivePublish().payload());
            publisher.disconnect();
        }
    }

    private static void expectAck(RawClient client, MqttMessageType type, int packetId) throws Exception {
        MqttMessage ack = client.receive();
        assertEquals(type, ack.fixedHeader().messageType());
        assertEquals(packetId, ((MqttMessageIdVariableHeader) ack.variableHeader()).messageId());
    }
}
