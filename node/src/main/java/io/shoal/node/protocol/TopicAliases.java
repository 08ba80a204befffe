package io.shoal.node.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * MQTT 5 topic aliases of one connection, both ways. Inbound the client chooses the aliases, up to
 * the maximum the broker announced; outbound the broker assigns aliases to the first topics it sends,
 * up to the maximum the client announced, and keeps them for the connection.
 */
final class TopicAliases {

    /** What an inbound PUBLISH's topic resolved to: the topic, or the reason code to disconnect with. */
    record Resolved(String topic, int reasonCode) {
    }


    private final int inboundMaximum;
    private final int outboundMaximum;
    private Map<Integer, String> inbound;
    private Map<String, Integer> outbound;

    TopicAliases(int inboundMaximum, int outboundMaximum) {
        this.inboundMaximum = inboundMaximum;
        this.outboundMaximum = outboundMaximum;
    }

    /** Applies an inbound PUBLISH's topic and alias [MQTT-3.3.2-7..-12]. */
    Resolved resolve(String topic, Integer alias) {
        if (alias == null) {
            return topic.isEmpty() ? new Resolved(null, ReasonCode.PROTOCOL_ERROR) : new Resolved(topic, 0);
        }
        if (alias == 0 || alias > inboundMaximum) {
            return new Resolved(null, ReasonCode.TOPIC_ALIAS_INVALID);
        }
        if (inbound == null) {
            inbound = new HashMap<>(4);
        }
        if (topic.isEmpty()) {
            String known = inbound.get(alias);
            return known == null ? new Resolved(null, ReasonCode.PROTOCOL_ERROR) : new Resolved(known, 0);
        }
        inbound.put(alias, topic);
        return new Resolved(topic, 0);
    }

    /** The alias the client already knows {@code topic} by, or 0. */
    int outboundAlias(String topic) {
        if (outbound == null) {
            return 0;
        }
        Integer alias = outbound.get(topic);
        return alias == null ? 0 : alias;
    }

    /** The alias a new topic would get, or 0 when the client's maximum is used up (or 0). */
    int nextOutboundAlias() {
        int used = outbound == null ? 0 : outbound.size();
        return used < outboundMaximum ? used + 1 : 0;
    }

    /** Records that {@code topic} was sent with {@code alias} (from {@link #nextOutboundAlias()}). */
    void assignOutbound(String topic, int alias) {
        if (outbound == null) {
            outbound = new HashMap<>(4);
        }
        outbound.put(topic, alias);
    }
}
