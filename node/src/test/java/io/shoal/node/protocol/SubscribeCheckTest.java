package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import io.shoal.node.session.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class SubscribeCheckTest {

    private static MqttSubscriptionOption option(int qos, boolean noLocal, boolean rap, RetainedHandlingPolicy rh) {
        return new MqttSubscriptionOption(MqttQoS.valueOf(qos), noLocal, rap, rh);
    }

    private static MqttSubscribeMessage subscribe(MqttProperties properties, String filter, MqttSubscriptionOption option) {
        return MqttMessageBuilders.subscribe().messageId(1).properties(properties).addSubscription(filter, option).build();
    }

    private static List<SubscribeCheck.Entry> accepted(SubscribeCheck check) {
        return assertInstanceOf(SubscribeCheck.Accept.class, check).entries();
    }

    @Test
    void optionsAndIdentifierBecomeTheSubscription() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), 42));
        SubscribeCheck check = SubscribeCheck.of(
                subscribe(p, "a/+", option(2, true, true, RetainedHandlingPolicy.DONT_SEND_AT_SUBSCRIBE)), true, 1);
        assertEquals(List.of(new SubscribeCheck.Entry(new Subscription("a/+", 1, true, true, 2, 42, null), 1)),
                accepted(check), "QoS downgraded to the broker's maximum");
    }

    @Test
    void aSharedFilterIsSplitIntoGroupAndFilter() {
        SubscribeCheck.Entry entry = accepted(SubscribeCheck.of(subscribe(MqttProperties.NO_PROPERTIES,
                "$share/workers/jobs/#", option(1, false, false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), true, 2))
                .get(0);
        assertEquals("workers", entry.subscription().shareGroup());
        assertEquals("jobs/#", entry.subscription().filter());
        assertEquals("$share/workers/jobs/#", entry.subscription().key());
    }

    @Test
    void badShareNamesAndFiltersAreRefusedPerFilter() {
        for (String filter : List.of("$share/g+/x", "$share/#/x", "$share/g", "$share//x", "$share/g/a/#/b", "a/#/b")) {
            SubscribeCheck.Entry v5 = accepted(SubscribeCheck.of(subscribe(MqttProperties.NO_PROPERTIES, filter,
                    option(1, false, false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), true, 2)).get(0);
            assertEquals(new SubscribeCheck.Entry(null, ReasonCode.TOPIC_FILTER_INVALID), v5, filter);
        }
        SubscribeCheck.Entry v3 = accepted(SubscribeCheck.of(subscribe(MqttProperties.NO_PROPERTIES, "$share/g+/x",
                option(1, false, false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), false, 2)).get(0);
        assertEquals(ReasonCode.SUBACK_FAILURE_V3, v3.refusal());
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() {
        SubscribeCheck check = SubscribeCheck.of(subscribe(MqttProperties.NO_PROPERTIES, "$share/g/t",
                option(1, true, false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), true, 2);
        assertEquals(ReasonCode.PROTOCOL_ERROR, assertInstanceOf(SubscribeCheck.Violation.class, check).reasonCode());
    }

    @Test
    void subscriptionIdentifierZeroIsAProtocolError() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), 0));
        SubscribeCheck check = SubscribeCheck.of(subscribe(p, "t",
                option(1, false, false, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), true, 2);
        assertInstanceOf(SubscribeCheck.Violation.class, check);
    }

    @Test
    void mqtt311MustNotUseMqtt5Options() {
        SubscribeCheck check = SubscribeCheck.of(subscribe(MqttProperties.NO_PROPERTIES, "t",
                option(1, false, true, RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)), false, 2);
        assertEquals(ReasonCode.MALFORMED_PACKET, assertInstanceOf(SubscribeCheck.Violation.class, check).reasonCode());
    }
}
