package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/** Why a CONNECT is refused, with the CONNACK code each protocol level uses for it. */
enum Refusal {
    UNSUPPORTED_PROTOCOL_VERSION(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
            MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION),
    IDENTIFIER_REJECTED(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
            MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID),
    SERVER_UNAVAILABLE(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5),
    BAD_USER_NAME_OR_PASSWORD(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
            MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD),
    NOT_AUTHORIZED(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5),
    BAD_AUTHENTICATION_METHOD(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
            MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD),
    PROTOCOL_ERROR(null, MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR),
    MALFORMED_PACKET(null, MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET),
    PACKET_TOO_LARGE(null, MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE);

    private final MqttConnectReturnCode v3;
    private final MqttConnectReturnCode v5;

    Refusal(MqttConnectReturnCode v3, MqttConnectReturnCode v5) {
        this.v3 = v3;
        this.v5 = v5;
    }

    /** The CONNACK code, or null when the protocol level has none (MQTT 3.1.1 then just closes). */
    MqttConnectReturnCode code(boolean mqtt5) {
        return mqtt5 ? v5 : v3;
    }
}
