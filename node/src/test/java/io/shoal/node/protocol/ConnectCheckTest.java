package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectCheckTest {

    private static MqttMessageBuilders.ConnectBuilder connect311(String clientId) {
        return MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId(clientId)
                .cleanSession(true)
                .keepAlive(60);
    }

    /** A 3.1.1 CONNECT with arbitrary header flags, including combinations the builder cannot express. */
    private static MqttConnectMessage raw(boolean userName, boolean password, boolean willRetain, int willQos,
                                          boolean willFlag, String willTopic) {
        MqttConnectVariableHeader header = new MqttConnectVariableHeader(
                "MQTT", 4, userName, password, willRetain, willQos, willFlag, true, 60);
        MqttConnectPayload payload = new MqttConnectPayload("client", willTopic,
                willFlag ? "bye".getBytes(StandardCharsets.UTF_8) : null,
                userName ? "user" : null,
                password ? "secret".getBytes(StandardCharsets.UTF_8) : null);
        return new MqttConnectMessage(
                new MqttFixedHeader(MqttMessageType.CONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0), header, payload);
    }

    private static void assertViolation(MqttConnectMessage connect) {
        ConnectCheck.Violation violation = assertInstanceOf(ConnectCheck.Violation.class, ConnectCheck.of(connect));
        assertNotNull(violation.reason());
    }

    @Test
    void normalConnectIsAcceptedWithItsClientId() {
        ConnectCheck check = ConnectCheck.of(connect311("sensor-17").cleanSession(false).build());
        assertEquals(new ConnectCheck.Accept("sensor-17", false), check);
    }

    @Test
    void mqtt31ConnectIsAccepted() {
        ConnectCheck check = ConnectCheck.of(connect311("old-client").protocolVersion(MqttVersion.MQTT_3_1).build());
        assertEquals(new ConnectCheck.Accept("old-client", false), check);
    }

    @Test
    void connectWithUserPasswordAndWillIsAccepted() {
        MqttConnectMessage connect = connect311("c1")
                .username("user").password("secret".getBytes(StandardCharsets.UTF_8))
                .willFlag(true).willTopic("clients/c1/status").willMessage("gone")
                .willQoS(MqttQoS.EXACTLY_ONCE).willRetain(true)
                .build();
        assertEquals(new ConnectCheck.Accept("c1", false), ConnectCheck.of(connect));
    }

    @Test
    void emptyClientIdWithCleanSessionGetsAGeneratedId() {
        ConnectCheck first = ConnectCheck.of(connect311("").build());
        ConnectCheck second = ConnectCheck.of(connect311("").build());
        ConnectCheck.Accept accept1 = assertInstanceOf(ConnectCheck.Accept.class, first);
        String id1 = accept1.clientId();
        String id2 = assertInstanceOf(ConnectCheck.Accept.class, second).clientId();
        assertTrue(accept1.assigned());
        assertFalse(id1.isBlank());
        assertFalse(id2.isBlank());
        assertNotEquals(id1, id2, "generated client ids must be unique");
    }

    @Test
    void emptyClientIdWithoutCleanSessionIsRefused() {
        ConnectCheck check = ConnectCheck.of(connect311("").cleanSession(false).build());
        ConnectCheck.Refuse refuse = assertInstanceOf(ConnectCheck.Refuse.class, check);
        assertEquals(Refusal.IDENTIFIER_REJECTED, refuse.refusal());
        assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, refuse.refusal().code(false));
    }

    @Test
    void willQosWithoutWillFlagIsAViolation() {
        assertViolation(connect311("c").willFlag(false).willQoS(MqttQoS.AT_LEAST_ONCE).build());
        assertViolation(raw(false, false, false, 2, false, null));
    }

    @Test
    void willRetainWithoutWillFlagIsAViolation() {
        assertViolation(connect311("c").willFlag(false).willRetain(true).build());
        assertViolation(raw(false, false, true, 0, false, null));
    }

    @Test
    void willQos3IsAViolation() {
        assertViolation(raw(false, false, false, 3, true, "will/topic"));
    }

    @Test
    void passwordWithoutUserNameIsAViolation() {
        assertViolation(raw(false, true, false, 0, false, null));
    }

    @Test
    void willTopicMustBeAValidTopicName() {
        assertViolation(connect311("c").willFlag(true).willTopic("status/#").willMessage("x").build());
        assertViolation(raw(false, false, false, 1, true, "status/+/c"));
        assertViolation(raw(false, false, false, 1, true, ""));
        assertViolation(raw(false, false, false, 1, true, "a\u0000b"));
    }

    private static MqttMessageBuilders.ConnectBuilder connect5(String clientId) {
        return connect311(clientId).protocolVersion(MqttVersion.MQTT_5);
    }

    @Test
    void mqtt5EmptyClientIdIsAssignedEvenWithoutCleanStart() {
        ConnectCheck check = ConnectCheck.of(connect5("").cleanSession(false).build());
        assertTrue(assertInstanceOf(ConnectCheck.Accept.class, check).assigned());
    }

    @Test
    void mqtt5AllowsPasswordWithoutUserName() {
        MqttConnectMessage connect = connect5("c5").password("token".getBytes(StandardCharsets.UTF_8)).build();
        assertEquals(new ConnectCheck.Accept("c5", false), ConnectCheck.of(connect));
    }

    @Test
    void mqtt5ReceiveMaximumOrMaximumPacketSizeZeroIsAViolation() {
        assertViolation(connect5("c5").properties(props(MqttPropertyType.RECEIVE_MAXIMUM, 0)).build());
        assertViolation(connect5("c5").properties(props(MqttPropertyType.MAXIMUM_PACKET_SIZE, 0)).build());
    }

    @Test
    void mqtt5AuthenticationDataWithoutMethodIsAViolation() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), new byte[]{1}));
        assertViolation(connect5("c5").properties(p).build());
    }

    private static MqttProperties props(MqttPropertyType type, int value) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(type.value(), value));
        return p;
    }
}
