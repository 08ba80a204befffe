package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.shoal.node.topic.Topics;

import java.util.UUID;

/** The verdict on a decoded CONNECT, before authentication and before the session is looked up. */
sealed interface ConnectCheck {

    int MQTT_5 = 5;

    /** Go on with this client identifier; {@code assigned} if the broker chose it. */
    record Accept(String clientId, boolean assigned) implements ConnectCheck {
    }

    /** Answer with a CONNACK carrying the refusal's code, then close. */
    record Refuse(Refusal refusal, String reason) implements ConnectCheck {
    }

    /** A protocol violation: close (MQTT 5: after CONNACK 0x82). */
    record Violation(String reason) implements ConnectCheck {
    }

    static ConnectCheck of(MqttConnectMessage connect) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();
        boolean v5 = header.version() == MQTT_5;
        if (header.willQos() == 3) {
            return new Violation("will QoS 3 [MQTT-3.1.2-12]");
        }
        if (!header.isWillFlag() && (header.willQos() != 0 || header.isWillRetain())) {
            return new Violation("will QoS or will retain set without will flag [MQTT-3.1.2-11, MQTT-3.1.2-13]");
        }
        if (header.isWillFlag() && !Topics.isValidTopicName(payload.willTopic())) {
            return new Violation("invalid will topic");
        }
        if (!v5 && header.hasPassword() && !header.hasUserName()) {
            return new Violation("password flag without user name flag [MQTT-3.1.2-22]");
        }
        if (v5) {
            MqttProperties p = header.properties();
            if (Properties5.integer(p, MqttPropertyType.RECEIVE_MAXIMUM, 1) == 0) {
                return new Violation("Receive Maximum 0 [MQTT-3.1.2.11.3]");
            }
            if (Properties5.integer(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, 1) == 0) {
                return new Violation("Maximum Packet Size 0 [MQTT-3.1.2.11.4]");
            }
            if (Properties5.string(p, MqttPropertyType.AUTHENTICATION_METHOD) == null
                    && Properties5.binary(p, MqttPropertyType.AUTHENTICATION_DATA) != null) {
                return new Violation("Authentication Data without Authentication Method [MQTT-3.1.2-28]");
            }
        }
        String clientId = payload.clientIdentifier();
        if (clientId.isEmpty()) {
            // MQTT 5 assigns an identifier whatever Clean Start says [MQTT-3.1.3-6]; 3.1.1 only with clean session.
            if (!v5 && !header.isCleanSession()) {
                return new Refuse(Refusal.IDENTIFIER_REJECTED,
                        "empty client identifier without clean session [MQTT-3.1.3-8]");
            }
            return new Accept("shoal-" + UUID.randomUUID(), true);
        }
        return new Accept(clientId, false);
    }
}
