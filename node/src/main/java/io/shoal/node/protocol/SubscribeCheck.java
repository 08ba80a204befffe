package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.Topics;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on a SUBSCRIBE before anything is subscribed: a protocol violation that closes the
 * connection, or for each requested filter the subscription to make or the reason code refusing it.
 * A shared subscription's filter ($share/{group}/{filter}) is split into group and filter.
 */
sealed interface SubscribeCheck {

    String SHARE_PREFIX = "$share/";

    /** Close the connection (MQTT 5: with DISCONNECT {@code reasonCode}). */
    record Violation(int reasonCode, String reason) implements SubscribeCheck {
    }

    /** One entry per requested filter, in order. */
    record Accept(List<Entry> entries) implements SubscribeCheck {
    }

    /** The subscription to make, or null and the SUBACK reason code refusing the filter. */
    record Entry(Subscription subscription, int refusal) {
    }

    static SubscribeCheck of(MqttSubscribeMessage message, boolean v5, int maxQos) {
        List<MqttTopicSubscription> requested = message.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            return new Violation(ReasonCode.PROTOCOL_ERROR, "SUBSCRIBE without topic filters [MQTT-3.8.3-3]");
        }
        int identifier = 0;
        if (v5) {
            Integer id = Properties5.integer(message.idAndPropertiesVariableHeader().properties(),
                    MqttPropertyType.SUBSCRIPTION_IDENTIFIER);
            if (id != null && id == 0) {
                return new Violation(ReasonCode.PROTOCOL_ERROR, "Subscription Identifier 0 [MQTT-3.8.2.1.2]");
            }
            identifier = id == null ? 0 : id;
        }
        List<Entry> entries = new ArrayList<>(requested.size());
        for (MqttTopicSubscription request : requested) {
            MqttSubscriptionOption option = request.option();
            if (!v5 && usesMqtt5Options(option)) {
                return new Violation(ReasonCode.MALFORMED_PACKET, "reserved bits set in a requested QoS byte [MQTT-3.8.3-4]");
            }
            String filter = request.topicName();
            String group = null;
            if (filter.startsWith(SHARE_PREFIX)) {
                int slash = filter.indexOf('/', SHARE_PREFIX.length());
                group = slash < 0 ? "" : filter.substring(SHARE_PREFIX.length(), slash);
                filter = slash < 0 ? "" : filter.substring(slash + 1);
                if (group.isEmpty() || group.contains("+") || group.contains("#")) {
                    entries.add(new Entry(null, v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.SUBACK_FAILURE_V3)); // [MQTT-4.8.2-1, -2]
                    continue;
                }
                if (option.isNoLocal()) {
                    return new Violation(ReasonCode.PROTOCOL_ERROR, "No Local on a shared subscription [MQTT-3.8.3-4]");
                }
            }
            if (!Topics.isValidFilter(filter)) {
                entries.add(new Entry(null, v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.SUBACK_FAILURE_V3));
                continue;
            }
            int qos = Math.min(option.qos().value(), maxQos);
            entries.add(new Entry(new Subscription(filter, qos, option.isNoLocal(), option.isRetainAsPublished(),
                    option.retainHandling().value(), identifier, group), qos));
        }
        return new Accept(entries);
    }

    /** Bits 2-5 of a subscription's options byte are reserved before MQTT 5. */
    private static boolean usesMqtt5Options(MqttSubscriptionOption option) {
        return option.isNoLocal() || option.isRetainAsPublished()
                || option.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE;
    }
}
