package io.shoal.node.session;

/**
 * An application message as it travels through the broker. The payload array is shared by every
 * subscriber that receives the message and must never be modified.
 */
public record Publication(String topic, byte[] payload, int qos, boolean retain) {

    /** The same message as delivered at {@code qos} (never above the published QoS). */
    public int deliveryQos(int grantedQos) {
        return Math.min(qos, grantedQos);
    }
}
