package io.shoal.node.session;

/**
 * An application message as it travels through the broker. The payload array is shared by every
 * subscriber that receives the message and must never be modified.
 *
 * @param publisherId the client that published it (for No Local), or null for a will or a message
 *                    without a client
 * @param id          this message's identity while it travels, from {@link MessageIds}; 0 for none.
 *                    It lets a client that moves to another node get a message once when it arrives
 *                    both directly and through the node the client left. Never stored.
 */
public record Publication(String topic, byte[] payload, int qos, boolean retain, MessageProperties properties,
                          String publisherId, long id) {

    /** A message without an identity. */
    public Publication(String topic, byte[] payload, int qos, boolean retain, MessageProperties properties,
                       String publisherId) {
        this(topic, payload, qos, retain, properties, publisherId, 0);
    }

    /** A message without MQTT 5 properties, as an MQTT 3.1.1 client publishes it. */
    public Publication(String topic, byte[] payload, int qos, boolean retain) {
        this(topic, payload, qos, retain, MessageProperties.NONE, null);
    }

    /** The same message as delivered at {@code qos} (never above the published QoS). */
    public int deliveryQos(int grantedQos) {
        return Math.min(qos, grantedQos);
    }

    public Publication withProperties(MessageProperties newProperties) {
        return new Publication(topic, payload, qos, retain, newProperties, publisherId, id);
    }

    public Publication withId(long newId) {
        return new Publication(topic, payload, qos, retain, properties, publisherId, newId);
    }

    public boolean expired(long nowMillis) {
        return properties.expired(nowMillis);
    }
}
