package io.shoal.node.session;

/**
 * A will message and when it is published.
 *
 * @param message              the message, without an expiry: its Message Expiry Interval runs from
 *                             when it is published
 * @param delaySeconds         MQTT 5 Will Delay Interval: how long after the connection ends it waits
 *                             (it is published earlier if the session ends first)
 * @param messageExpirySeconds MQTT 5 Message Expiry Interval of the will, 0 if it does not expire
 */
public record Will(Publication message, long delaySeconds, long messageExpirySeconds) {

    /** A will as MQTT 3.1.1 knows it: published as soon as the connection ends, never expiring. */
    public Will(Publication message) {
        this(message, 0, 0);
    }

    /** The message to publish at {@code nowMillis}, its expiry counted from then. */
    public Publication publishedAt(long nowMillis) {
        if (messageExpirySeconds == 0) {
            return message;
        }
        return message.withProperties(message.properties().expiringAt(nowMillis + messageExpirySeconds * 1000));
    }
}
