package io.shoal.node.protocol;

import io.shoal.node.delivery.ShareStrategy;

import java.time.Duration;

/**
 * The MQTT protocol limits of a node.
 *
 * @param maxPacketSize        largest packet accepted from a client, in bytes, fixed header included
 * @param maxInflight          QoS 1/2 messages sent to a client and not yet acknowledged (an MQTT 5
 *                             client's Receive Maximum may lower it)
 * @param maxQueued            messages waiting for one client beyond those in flight (online or offline)
 * @param maxQos               highest QoS granted to a subscription (and accepted in PUBLISH from MQTT 5 clients)
 * @param queueQos0Offline     whether QoS 0 messages are queued for offline persistent sessions
 * @param connectTimeout       how long a new connection may take to send CONNECT
 * @param receiveMaximum       inbound QoS 2 messages a client may have unreleased (MQTT 5 Receive Maximum);
 *                             also the acknowledgements a connection holds back before it stops reading
 * @param topicAliasMaximum    inbound topic aliases a client may use (0: none)
 * @param outboundTopicAliases whether the broker assigns topic aliases to the messages it sends
 * @param maxSessionExpiry     longest session expiry interval granted, in seconds
 * @param serverKeepAlive      keep-alive imposed on MQTT 5 clients in seconds, 0 to accept theirs
 * @param responseInformation  sent as Response Information to clients that ask for it, empty for none
 * @param shareStrategy        how a shared subscription picks the member that gets a message
 * @param storeTimeout         how long a QoS 1/2 PUBLISH waits for the offline sessions it goes to to
 *                             store it; after that its publisher is told it was not accepted
 * @param journalUnacknowledgedAfter with durable sessions: how long a QoS 1/2 message to an online client
 *                             with a persistent session may wait for the client's acknowledgement
 *                             before its session journals it; its publisher is acknowledged after
 *                             either. Zero: publishers do not wait for online clients at all
 */
public record MqttSettings(int maxPacketSize, int maxInflight, int maxQueued, int maxQos, boolean queueQos0Offline,
                           Duration connectTimeout, int receiveMaximum, int topicAliasMaximum,
                           boolean outboundTopicAliases, long maxSessionExpiry, int serverKeepAlive,
                           String responseInformation, ShareStrategy shareStrategy, Duration storeTimeout,
                           Duration journalUnacknowledgedAfter) {

    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;
    /** Session Expiry Interval 0xFFFFFFFF: the session does not expire. */
    public static final long NEVER_EXPIRES = 0xFFFFFFFFL;

    public MqttSettings {
        require(maxPacketSize >= 2 && maxPacketSize <= PROTOCOL_MAX_PACKET_SIZE, "maxPacketSize", maxPacketSize);
        require(maxInflight >= 1 && maxInflight <= 65_535, "maxInflight", maxInflight);
        require(maxQueued >= 0, "maxQueued", maxQueued);
        require(maxQos >= 0 && maxQos <= 2, "maxQos", maxQos);
        require(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connectTimeout", connectTimeout);
        require(receiveMaximum >= 1 && receiveMaximum <= 65_535, "receiveMaximum", receiveMaximum);
        require(topicAliasMaximum >= 0 && topicAliasMaximum <= 65_535, "topicAliasMaximum", topicAliasMaximum);
        require(maxSessionExpiry >= 0 && maxSessionExpiry <= NEVER_EXPIRES, "maxSessionExpiry", maxSessionExpiry);
        require(serverKeepAlive >= 0 && serverKeepAlive <= 65_535, "serverKeepAlive", serverKeepAlive);
        require(!storeTimeout.isNegative() && !storeTimeout.isZero(), "storeTimeout", storeTimeout);
        require(!journalUnacknowledgedAfter.isNegative(), "journalUnacknowledgedAfter", journalUnacknowledgedAfter);
    }

    private static void require(boolean valid, String name, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("invalid " + name + ": " + value);
        }
    }
}
