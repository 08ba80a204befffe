package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DISCONNECT sent by the broker (MQTT 5.0 sections 3.14 and 4.13), with the reason code a real client
 * reports: session taken over, keep-alive timeout, server shutting down, and the protocol errors and
 * malformed packets after which the broker closes the connection.
 */
class ServerDisconnectTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of());

    @Test
    void hivemqClientSeesSessionTakenOver() throws Exception {
        CompletableFuture<MqttClientDisconnectedContext> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient first = Clients5.hivemqBuilder(broker, "sd-takeover-hivemq")
                .addDisconnectedListener(disconnected::complete).buildBlocking();
        first.connect();
        Mqtt5BlockingClient second = Clients5.hivemq(broker, "sd-takeover-hivemq");
        second.connect();

        assertServerDisconnect(disconnected, Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        second.disconnect();
    }

    @Test
    void pahoClientSeesSessionTakenOver() throws Exception {
        CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();
        org.eclipse.paho.mqttv5.client.MqttClient first = Clients5.paho(broker, "sd-takeover-paho");
        first.setCallback(onDisconnect(disconnected));
        first.connect(Clients5.pahoOptions());
        org.eclipse.paho.mqttv5.client.MqttClient second = Clients5.paho(broker, "sd-takeover-paho");
        second.connect(Clients5.pahoOptions());

        MqttDisconnectResponse response = disconnected.get(10, TimeUnit.SECONDS);
        assertEquals(0x8E, response.getReturnCode(), "Session taken over: " + response);
        second.disconnect();
        second.close();
        first.close();
    }

    @Test
    void silentClientGetsKeepAliveTimeout() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            MqttConnAckMessage ack = client.connect5("sd-keepalive", true, 1, MqttProperties.NO_PROPERTIES);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
            long connected = System.nanoTime();
            assertDisconnectAndClose(client, 0x8D, "Keep alive timeout");
            long silentMillis = (System.nanoTime() - connected) / 1_000_000;
            assertTrue(silentMillis >= 1400, "closed after " + silentMillis + " ms, before 1.5 x the keep-alive");
        }
    }

    @Test
    void brokerShuttingDownSendsServerShuttingDown() throws Exception {
        CompletableFuture<MqttClientDisconnectedContext> disconnected = new CompletableFuture<>();
        TestBroker stopping = TestBroker.start(Map.of());
        try {
            Mqtt5BlockingClient client = Clients5.hivemqBuilder(stopping, "sd-shutdown")
                    .addDisconnectedListener(disconnected::complete).buildBlocking();
            client.connect();
        } finally {
            stopping.close();
        }
        assertServerDisconnect(disconnected, Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
    }

    @Test
    void secondConnectIsAProtocolError() throws Exception {
        try (RawClient client = connectedRaw("sd-second-connect")) {
            client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("sd-second-connect")
                    .cleanSession(true).build());
            assertDisconnectAndClose(client, 0x82, "Protocol Error");
        }
    }

    @Test
    void publishWithBothQosBitsSetIsMalformed() throws Exception {
        try (RawClient client = connectedRaw("sd-qos3")) {
            // PUBLISH, QoS bits 11: topic "a", packet id 1, no properties, payload "x".
            client.sendBytes(new byte[]{0x36, 7, 0, 1, 'a', 0, 1, 0, 'x'});
            assertDisconnectAndClose(client, 0x81, "Malformed Packet");
        }
    }

    @Test
    void invalidRemainingLengthIsMalformed() throws Exception {
        try (RawClient client = connectedRaw("sd-remaining-length")) {
            // A Variable Byte Integer of five bytes: the fourth still has its continuation bit [MQTT-1.5.5].
            client.sendBytes(new byte[]{0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
            assertDisconnectAndClose(client, 0x81, "Malformed Packet");
        }
    }

    @Test
    void subscriptionIdentifierInAClientPublishIsAProtocolError() throws Exception {
        try (RawClient client = connectedRaw("sd-sub-id")) {
            MqttProperties properties = new MqttProperties();
            properties.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), 5));
            client.send(new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    new MqttPublishVariableHeader("sd/sub-id", 1, properties),
                    Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
            assertDisconnectAndClose(client, 0x82, "Protocol Error");
        }
    }

    @Test
    void qosAboveTheMaximumQosIsRefusedWithQosNotSupported() throws Exception {
        try (TestBroker qos1 = TestBroker.start(Map.of("SHOAL_MQTT_MAX_QOS", "1"));
             RawClient client = new RawClient(qos1.port())) {
            MqttConnAckMessage ack = client.connect5("sd-max-qos", true, 0, MqttProperties.NO_PROPERTIES);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
            MqttProperties.MqttProperty<?> maxQos = ack.variableHeader().properties()
                    .getProperty(MqttPropertyType.MAXIMUM_QOS.value());
            assertNotNull(maxQos, "CONNACK announces Maximum QoS");
            assertEquals(1, maxQos.value());
            client.send(new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.EXACTLY_ONCE, false, 0),
                    new MqttPublishVariableHeader("sd/max-qos", 1, MqttProperties.NO_PROPERTIES),
                    Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
            assertDisconnectAndClose(client, 0x9B, "QoS not supported");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static RawClient connectedRaw(String clientId) throws IOException {
        RawClient client = new RawClient(broker.port());
        MqttConnAckMessage ack = client.connect5(clientId, true, 0, MqttProperties.NO_PROPERTIES);
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
        return client;
    }

    /** The next packet is a DISCONNECT with {@code reasonCode}, after which the broker closes the connection. */
    private static void assertDisconnectAndClose(RawClient client, int reasonCode, String name) throws IOException {
        MqttMessage packet = client.receive(Duration.ofSeconds(5));
        assertNotNull(packet, "expected DISCONNECT 0x" + Integer.toHexString(reasonCode) + " (" + name + ")");
        assertEquals(MqttMessageType.DISCONNECT, packet.fixedHeader().messageType());
        MqttReasonCodeAndPropertiesVariableHeader header = (MqttReasonCodeAndPropertiesVariableHeader) packet.variableHeader();
        assertEquals(reasonCode, header.reasonCode() & 0xFF, "DISCONNECT reason code, expected " + name);
        assertNull(header.properties().getProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value()),
                "a server's DISCONNECT carries no Session Expiry Interval");
        assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "the broker closes the connection after DISCONNECT");
    }

    private static void assertServerDisconnect(CompletableFuture<MqttClientDisconnectedContext> disconnected,
                                               Mqtt5DisconnectReasonCode expected) throws Exception {
        MqttClientDisconnectedContext context = disconnected.get(10, TimeUnit.SECONDS);
        assertEquals(MqttDisconnectSource.SERVER, context.getSource(), "cause: " + context.getCause());
        Mqtt5DisconnectException cause = assertInstanceOf(Mqtt5DisconnectException.class, context.getCause());
        assertEquals(expected, cause.getMqttMessage().getReasonCode());
    }

    private static MqttCallback onDisconnect(CompletableFuture<MqttDisconnectResponse> disconnected) {
        return new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnected.complete(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
            }
        };
    }
}
