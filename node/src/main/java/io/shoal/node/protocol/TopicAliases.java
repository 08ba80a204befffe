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

    /**
     * The alias to send {@code topic} with, or 0 for none. {@code known} tells whether the client
     * already has it (the topic may then be left out).
     */
    int outboundAlias(String topic, boolean[] known) {
        if (outboundMaximum == 0) {
            return 0;
        }
        if (outbound == null) {
            outbound = new HashMap<>(4);
        }
        Integer alias = outbound.get(topic);
        if (alias != null) {
            known[0] = true;
            return alias;
        }
        if (outbound.size() >= outboundMaximum) {
            return 0;
        }
        int assigned = outbound.size() + 1;
        outbound.put(topic, assigned);
        known[0] = false;
        return assigned;
    }
}
