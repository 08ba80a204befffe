package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.node.topic.Topics;

import java.util.UUID;

/** The verdict on a decoded CONNECT, before authentication and before the session is looked up. */
sealed interface ConnectCheck {

    /** Go on with this client identifier (assigned by the broker if the client sent none). */
    record Accept(String clientId) implements ConnectCheck {
    }

    /** Answer with a CONNACK carrying {@code code}, then close. */
    record Refuse(MqttConnectReturnCode code, String reason) implements ConnectCheck {
    }

    /** A protocol violation: close without CONNACK. */
    record Violation(String reason) implements ConnectCheck {
    }

    static ConnectCheck of(MqttConnectMessage connect) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(header.name(), (byte) header.version());
        if (version == MqttVersion.MQTT_5) {
            return new Refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION,
                    "MQTT 5 is not supported yet");
        }
        if (header.willQos() == 3) {
            return new Violation("will QoS 3 [MQTT-3.1.2-14]");
        }
        if (!header.isWillFlag() && (header.willQos() != 0 || header.isWillRetain())) {
            return new Violation("will QoS or will retain set without will flag [MQTT-3.1.2-13, MQTT-3.1.2-15]");
        }
        if (header.isWillFlag() && !Topics.isValidTopicName(payload.willTopic())) {
            return new Violation("invalid will topic");
        }
        if (header.hasPassword() && !header.hasUserName()) {
            return new Violation("password flag without user name flag [MQTT-3.1.2-22]");
        }
        String clientId = payload.clientIdentifier();
        if (clientId.isEmpty()) {
            if (!header.isCleanSession()) {
                return new Refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "empty client identifier without clean session [MQTT-3.1.3-8]");
            }
            return new Accept("shoal-" + UUID.randomUUID());
        }
        return new Accept(clientId);
    }
}
