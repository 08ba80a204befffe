package io.shoal.node.protocol;

import java.time.Duration;

/**
 * The MQTT protocol limits of a node.
 *
 * @param maxPacketSize     largest packet accepted from a client, in bytes, fixed header included
 * @param maxInflight       QoS 1/2 messages sent to a client and not yet acknowledged
 * @param maxQueued         messages waiting for one client beyond those in flight (online or offline)
 * @param maxQos            highest QoS granted to a subscription
 * @param queueQos0Offline  whether QoS 0 messages are queued for offline persistent sessions
 * @param connectTimeout    how long a new connection may take to send CONNECT
 */
public record MqttSettings(int maxPacketSize, int maxInflight, int maxQueued, int maxQos,
                           boolean queueQos0Offline, Duration connectTimeout) {

    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;

    public MqttSettings {
        require(maxPacketSize >= 2 && maxPacketSize <= PROTOCOL_MAX_PACKET_SIZE, "maxPacketSize", maxPacketSize);
        require(maxInflight >= 1 && maxInflight <= 65_535, "maxInflight", maxInflight);
        require(maxQueued >= 0, "maxQueued", maxQueued);
        require(maxQos >= 0 && maxQos <= 2, "maxQos", maxQos);
        require(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connectTimeout", connectTimeout);
    }

    private static void require(boolean valid, String name, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("invalid " + name + ": " + value);
        }
    }
}
