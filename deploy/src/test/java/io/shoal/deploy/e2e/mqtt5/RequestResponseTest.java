package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import io.shoal.deploy.e2e.TestBroker;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request/response (MQTT 5, 4.10): Response Topic, Correlation Data, Content Type, Payload Format
 * Indicator and user properties reach subscribers unchanged; Response Information is sent to
 * clients that ask for it.
 */
class RequestResponseTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_MQTT_RESPONSE_INFORMATION", "responses/"));

    @Test
    void requestPropertiesReachTheResponderUnchangedAndTheResponseComesBack() {
        Inbox5 responderInbox = new Inbox5();
        Inbox5 requesterInbox = new Inbox5();
        Mqtt5BlockingClient responder = Clients5.hivemq(broker, "responder", responderInbox);
        Mqtt5BlockingClient requester = Clients5.hivemq(broker, "requester", requesterInbox);
        try {
            responder.subscribeWith().topicFilter("service/time").qos(MqttQos.AT_LEAST_ONCE).send();
            requester.subscribeWith().topicFilter("replies/requester").qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] correlation = {0, 1, 2, (byte) 0xFF};
            requester.publishWith().topic("service/time").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("what time is it?".getBytes(StandardCharsets.UTF_8))
                    .responseTopic("replies/requester").correlationData(correlation)
                    .contentType("text/plain").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .userProperties().add("trace", "t-1").add("trace", "t-2").add("tenant", "acme").applyUserProperties()
                    .send();

            Inbox5.Message request = responderInbox.expect("service/time", "what time is it?");
            assertEquals("replies/requester", request.responseTopic());
            assertArrayEquals(correlation, request.correlationData());
            assertEquals("text/plain", request.contentType());
            assertEquals(Boolean.TRUE, request.utf8Payload());
            assertEquals(List.of("trace=t-1", "trace=t-2", "tenant=acme"), request.userProperties(),
                    "user properties keep their order, repeated names included");

            responder.publishWith().topic(request.responseTopic()).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("noon".getBytes(StandardCharsets.UTF_8)).correlationData(request.correlationData())
                    .send();
            Inbox5.Message response = requesterInbox.expect("replies/requester", "noon");
            assertArrayEquals(correlation, response.correlationData());
            assertNull(response.responseTopic());
            assertNull(response.contentType());
            assertEquals(List.of(), response.userProperties());
        } finally {
            requester.disconnect();
            responder.disconnect();
        }
    }

    @Test
    void pahoSubscriberSeesThePropertiesToo() throws Exception {
        Inbox5 inbox = new Inbox5();
        org.eclipse.paho.mqttv5.client.MqttClient subscriber = Clients5.paho(broker, "paho-responder");
        subscriber.connect(Clients5.pahoOptions());
        Mqtt5BlockingClient requester = Clients5.hivemq(broker, "hivemq-requester", new Inbox5());
        try {
            subscriber.subscribe(new MqttSubscription[]{new MqttSubscription("svc/#", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[]{inbox});
            requester.publishWith().topic("svc/echo").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("ping".getBytes(StandardCharsets.UTF_8))
                    .responseTopic("r/1").correlationData(new byte[]{42}).contentType("application/x-ping")
                    .userProperties().add("k", "v").applyUserProperties().send();
            Inbox5.Message m = inbox.expect("svc/echo", "ping");
            assertEquals("r/1", m.responseTopic());
            assertArrayEquals(new byte[]{42}, m.correlationData());
            assertEquals("application/x-ping", m.contentType());
            assertEquals(List.of("k=v"), m.userProperties());
        } finally {
            requester.disconnect();
            subscriber.disconnect();
            subscriber.close();
        }
    }

    @Test
    void responseInformationIsSentOnlyWhenRequested() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient asks = Clients5.paho(broker, "asks");
        MqttConnectionOptions options = Clients5.pahoOptions();
        options.setRequestResponseInfo(true);
        IMqttToken token = asks.connectWithResult(options);
        try {
            assertEquals("responses/", token.getResponseProperties().getResponseInfo());
        } finally {
            asks.disconnect();
            asks.close();
        }
        org.eclipse.paho.mqttv5.client.MqttClient doesNotAsk = Clients5.paho(broker, "does-not-ask");
        IMqttToken plain = doesNotAsk.connectWithResult(Clients5.pahoOptions());
        try {
            assertNull(plain.getResponseProperties().getResponseInfo());
        } finally {
            doesNotAsk.disconnect();
            doesNotAsk.close();
        }
    }

    @Test
    void pahoPublisherPropertiesPassThrough() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "hivemq-sub", inbox);
        org.eclipse.paho.mqttv5.client.MqttClient publisher = Clients5.paho(broker, "paho-pub");
        publisher.connect(Clients5.pahoOptions());
        try {
            subscriber.subscribeWith().topicFilter("p/#").qos(MqttQos.EXACTLY_ONCE).send();
            MqttMessage message = new MqttMessage("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8), 2, false, null);
            MqttProperties properties = new MqttProperties();
            properties.setContentType("application/json");
            properties.setPayloadFormat(true);
            properties.setResponseTopic("p/reply");
            properties.setCorrelationData("id-7".getBytes(StandardCharsets.UTF_8));
            properties.setUserProperties(List.of(new UserProperty("unit", "C")));
            message.setProperties(properties);
            publisher.publish("p/temp", message);
            Inbox5.Message m = inbox.expect("p/temp", "{\"t\":21.5}");
            assertEquals(2, m.qos());
            assertEquals("application/json", m.contentType());
            assertEquals(Boolean.TRUE, m.utf8Payload());
            assertEquals("p/reply", m.responseTopic());
            assertArrayEquals("id-7".getBytes(StandardCharsets.UTF_8), m.correlationData());
            assertTrue(m.userProperties().contains("unit=C"));
        } finally {
            publisher.disconnect();
            publisher.close();
            subscriber.disconnect();
        }
    }
}
