package io.shoal.node.session;

import java.util.List;

/**
 * The MQTT 5 properties of an application message that travel with it to subscribers. Messages
 * from MQTT 3.1.1 clients have {@link #NONE}.
 *
 * @param payloadFormat   1 if the payload is UTF-8 text, 0 or null if unspecified bytes
 * @param expiresAtMillis when the message expires (epoch milliseconds), 0 if never
 */
public record MessageProperties(Integer payloadFormat, long expiresAtMillis, String contentType, String responseTopic,
                                byte[] correlationData, List<UserProperty> userProperties) {

    public static final MessageProperties NONE = new MessageProperties(null, 0, null, null, null, List.of());

    public boolean expired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    /** The Message Expiry Interval to send on, in whole seconds (at least 1 while not expired). */
    public long remainingExpirySeconds(long nowMillis) {
        return Math.max(1, (expiresAtMillis - nowMillis + 999) / 1000);
    }

    public MessageProperties expiringAt(long millis) {
        return new MessageProperties(payloadFormat, millis, contentType, responseTopic, correlationData, userProperties);
    }

    public boolean isEmpty() {
        return payloadFormat == null && expiresAtMillis == 0 && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }
}
