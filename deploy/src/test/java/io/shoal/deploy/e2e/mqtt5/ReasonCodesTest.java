package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRec;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.shoal.deploy.e2e.mqtt5.Packets5.bytes;
import static io.shoal.deploy.e2e.mqtt5.Packets5.intProperty;
import static io.shoal.deploy.e2e.mqtt5.Packets5.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 reason codes on every acknowledgement, as real clients (and, for what they will not do, a
 * raw socket client) see them: PUBACK / PUBREC (0x00, 0x10, 0x99), SUBACK (granted QoS per filter,
 * downgrade, 0x8F), UNSUBACK (0x00, 0x11), PUBREL / PUBCOMP (0x92); reason strings and Request
 * Problem Information; a client's PUBREC with an error ending the QoS 2 flow.
 */
class ReasonCodesTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static final int SUCCESS = 0x00;
    private static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    private static final int UNSPECIFIED_ERROR = 0x80;
    private static final int TOPIC_FILTER_INVALID = 0x8F;
    private static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    private static final int PAYLOAD_FORMAT_INVALID = 0x99;
    /** Not UTF-8: 0xC3 starts a two-byte sequence that 0x28 does not continue. */
    private static final byte[] NOT_UTF8 = {(byte) 0xC3, 0x28, 'x'};
    private static final Duration QUIET = Duration.ofMillis(500);

    // ---- PUBACK / PUBREC ------------------------------------------------------------------------

    @Test
    void pubAckSaysNoMatchingSubscribersUntilSomeoneSubscribes() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-puback-pub", new Inbox5());
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "rc-puback-sub", inbox);
        try {
            Mqtt5PubAck alone = pubAck(publisher.publishWith().topic("rc/puback/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes("nobody")).send());
            assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, alone.getReasonCode());

            subscriber.subscribeWith().topicFilter("rc/puback/+").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5PubAck matched = pubAck(publisher.publishWith().topic("rc/puback/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes("someone")).send());
            assertEquals(Mqtt5PubAckReasonCode.SUCCESS, matched.getReasonCode());
            inbox.expect("rc/puback/t", "someone");
            inbox.assertEmpty();
        } finally {
            subscriber.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void pubRecSaysNoMatchingSubscribersUntilSomeoneSubscribes() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-pubrec-pub", new Inbox5());
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "rc-pubrec-sub", inbox);
        try {
            Mqtt5PubRec alone = pubRec(publisher.publishWith().topic("rc/pubrec/t").qos(MqttQos.EXACTLY_ONCE)
                    .payload(bytes("nobody")).send());
            assertEquals(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS, alone.getReasonCode());

            subscriber.subscribeWith().topicFilter("rc/pubrec/#").qos(MqttQos.EXACTLY_ONCE).send();
            Mqtt5PubRec matched = pubRec(publisher.publishWith().topic("rc/pubrec/t").qos(MqttQos.EXACTLY_ONCE)
                    .payload(bytes("someone")).send());
            assertEquals(Mqtt5PubRecReasonCode.SUCCESS, matched.getReasonCode());
            assertEquals(2, inbox.expect("rc/pubrec/t", "someone").qos());
        } finally {
            subscriber.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void aSharedSubscriberIsAMatchingSubscriber() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-shared-pub", new Inbox5());
        Mqtt5BlockingClient member = Clients5.hivemq(broker, "rc-shared-member", inbox);
        try {
            member.subscribeWith().topicFilter("$share/rcgroup/rc/shared/t").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5PubAck ack = pubAck(publisher.publishWith().topic("rc/shared/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes("to the group")).send());
            assertEquals(Mqtt5PubAckReasonCode.SUCCESS, ack.getReasonCode());
            inbox.expect("rc/shared/t", "to the group");
        } finally {
            member.disconnect();
            publisher.disconnect();
        }
    }

    // ---- SUBACK --------------------------------------------------------------------------------

    @Test
    void subAckGrantsTheRequestedQosPerFilterInOrder() {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "rc-suback", new Inbox5());
        try {
            Mqtt5SubAck ack = client.subscribeWith().addSubscriptions(
                    Mqtt5Subscription.builder().topicFilter("rc/suback/two").qos(MqttQos.EXACTLY_ONCE).build(),
                    Mqtt5Subscription.builder().topicFilter("rc/suback/zero").qos(MqttQos.AT_MOST_ONCE).build(),
                    Mqtt5Subscription.builder().topicFilter("rc/suback/+/one").qos(MqttQos.AT_LEAST_ONCE).build())
                    .send();
            assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_2, Mqtt5SubAckReasonCode.GRANTED_QOS_0,
                    Mqtt5SubAckReasonCode.GRANTED_QOS_1), ack.getReasonCodes());
        } finally {
            client.disconnect();
        }
    }

    @Test
    void subAckGrantsAtMostTheBrokersMaximumQos() {
        try (TestBroker qos1Broker = TestBroker.start(Map.of("SHOAL_MQTT_MAX_QOS", "1"))) {
            Inbox5 inbox = new Inbox5();
            Mqtt5BlockingClient subscriber = Clients5.hivemq(qos1Broker, "rc-downgrade-sub", inbox);
            Mqtt5BlockingClient publisher = Clients5.hivemq(qos1Broker, "rc-downgrade-pub", new Inbox5());
            try {
                Mqtt5SubAck ack = subscriber.subscribeWith().addSubscriptions(
                        Mqtt5Subscription.builder().topicFilter("rc/downgrade/a").qos(MqttQos.EXACTLY_ONCE).build(),
                        Mqtt5Subscription.builder().topicFilter("rc/downgrade/b").qos(MqttQos.AT_MOST_ONCE).build())
                        .send();
                assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.GRANTED_QOS_0),
                        ack.getReasonCodes());
                publisher.publishWith().topic("rc/downgrade/a").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m")).send();
                assertEquals(1, inbox.expect("rc/downgrade/a", "m").qos());
            } finally {
                publisher.disconnect();
                subscriber.disconnect();
            }
        }
    }

    /** Real clients check filters before sending; a raw SUBSCRIBE mixes valid and invalid ones. */
    @Test
    void subAckRefusesInvalidFiltersOneByOneAndGrantsTheOthers() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "rc-suback-invalid", MqttProperties.NO_PROPERTIES)) {
            client.send(MqttMessageBuilders.subscribe().messageId(11)
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "rc/invalid/ok")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "rc/#/b")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g+/rc/invalid/x")
                    .addSubscription(MqttQoS.EXACTLY_ONCE, "rc/in+valid")
                    .addSubscription(MqttQoS.AT_MOST_ONCE, "$share/grp")
                    .addSubscription(MqttQoS.EXACTLY_ONCE, "$share/grp/rc/invalid/shared")
                    .build());
            MqttSubAckMessage ack = (MqttSubAckMessage) expect(client, MqttMessageType.SUBACK);
            assertEquals(11, ack.idAndPropertiesVariableHeader().messageId());
            assertEquals(List.of(0x01, TOPIC_FILTER_INVALID, TOPIC_FILTER_INVALID, TOPIC_FILTER_INVALID,
                    TOPIC_FILTER_INVALID, 0x02), ack.payload().reasonCodes());

            // The granted subscription works although others in the same SUBSCRIBE failed.
            Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-suback-invalid-pub", new Inbox5());
            try {
                publisher.publishWith().topic("rc/invalid/ok").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("works")).send();
            } finally {
                publisher.disconnect();
            }
            RawClient.Received received = client.receivePublish();
            assertEquals("rc/invalid/ok works", received.topic() + " " + received.payload());
        }
    }

    // ---- UNSUBACK ------------------------------------------------------------------------------

    @Test
    void unsubAckTellsWhichSubscriptionsExisted() {
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "rc-unsuback", new Inbox5());
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-unsuback-pub", new Inbox5());
        try {
            client.subscribeWith().topicFilter("rc/unsub/a").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5UnsubAck first = client.unsubscribeWith().addTopicFilter("rc/unsub/never")
                    .addTopicFilter("rc/unsub/a").send();
            assertEquals(List.of(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED, Mqtt5UnsubAckReasonCode.SUCCESS),
                    first.getReasonCodes());
            Mqtt5UnsubAck again = client.unsubscribeWith().addTopicFilter("rc/unsub/a").send();
            assertEquals(List.of(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED), again.getReasonCodes());
            // And the subscription is really gone.
            assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, pubAck(publisher.publishWith()
                    .topic("rc/unsub/a").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("gone")).send()).getReasonCode());
        } finally {
            publisher.disconnect();
            client.disconnect();
        }
    }

    // ---- PUBREL / PUBCOMP ----------------------------------------------------------------------

    @Test
    void pubRelForAnUnknownPacketIdIsAnsweredWithPacketIdentifierNotFound() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "rc-pubrel", MqttProperties.NO_PROPERTIES)) {
            client.send(publish("rc/pubrel/t", bytes("q2"), 2, 21, MqttProperties.NO_PROPERTIES));
            assertEquals(NO_MATCHING_SUBSCRIBERS, reply(client, MqttMessageType.PUBREC, 21).reasonCode());
            client.send(ack(MqttMessageType.PUBREL, 21, SUCCESS));
            assertEquals(SUCCESS, reply(client, MqttMessageType.PUBCOMP, 21).reasonCode());

            client.send(ack(MqttMessageType.PUBREL, 21, SUCCESS)); // already released
            assertEquals(PACKET_IDENTIFIER_NOT_FOUND, reply(client, MqttMessageType.PUBCOMP, 21).reasonCode());
            client.send(ack(MqttMessageType.PUBREL, 4242, SUCCESS)); // never used
            assertEquals(PACKET_IDENTIFIER_NOT_FOUND, reply(client, MqttMessageType.PUBCOMP, 4242).reasonCode());
        }
    }

    @Test
    void pubRecForAnUnknownPacketIdIsAnsweredWithPubRelPacketIdentifierNotFound() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "rc-pubrec-unknown", MqttProperties.NO_PROPERTIES)) {
            client.send(ack(MqttMessageType.PUBREC, 777, SUCCESS));
            assertEquals(PACKET_IDENTIFIER_NOT_FOUND, reply(client, MqttMessageType.PUBREL, 777).reasonCode());
            // The connection is fine afterwards.
            client.send(publish("rc/pubrec-unknown/t", bytes("x"), 1, 5, MqttProperties.NO_PROPERTIES));
            assertEquals(NO_MATCHING_SUBSCRIBERS, reply(client, MqttMessageType.PUBACK, 5).reasonCode());
        }
    }

    // ---- Payload Format Indicator ----------------------------------------------------------------

    @Test
    void nonUtf8PayloadMarkedUtf8IsRefusedWithPayloadFormatInvalidAndNotDelivered() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "rc-pfi-sub", inbox);
        try (RawClient publisher = RawClient.connected5(broker.port(), "rc-pfi-pub", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribeWith().topicFilter("rc/pfi/t").qos(MqttQos.AT_LEAST_ONCE).send();
            publisher.send(publish("rc/pfi/t", NOT_UTF8, 1, 31, intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)));
            Reply refused = reply(publisher, MqttMessageType.PUBACK, 31);
            assertEquals(PAYLOAD_FORMAT_INVALID, refused.reasonCode());

            // The connection stays usable; the next (valid) message is the first the subscriber gets.
            publisher.send(publish("rc/pfi/t", bytes("valid ü"), 1, 32,
                    intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)));
            assertEquals(SUCCESS, reply(publisher, MqttMessageType.PUBACK, 32).reasonCode());
            Inbox5.Message first = inbox.expect("rc/pfi/t", "valid ü");
            assertEquals(Boolean.TRUE, first.utf8Payload());
            assertNull(inbox.poll(QUIET), "the refused message was delivered after all");
        } finally {
            subscriber.disconnect();
        }
    }

    /** After a PUBREC with an error the packet id is free: a PUBLISH reusing it is a new message [MQTT-4.3.3-9]. */
    @Test
    void qos2PayloadFormatInvalidIsRefusedInPubRecAndThePacketIdIsFree() throws Exception {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "rc-pfi2-sub", inbox);
        try (RawClient publisher = RawClient.connected5(broker.port(), "rc-pfi2-pub", MqttProperties.NO_PROPERTIES)) {
            subscriber.subscribeWith().topicFilter("rc/pfi2/t").qos(MqttQos.EXACTLY_ONCE).send();
            MqttProperties utf8 = intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1);
            publisher.send(publish("rc/pfi2/t", NOT_UTF8, 2, 41, utf8));
            assertEquals(PAYLOAD_FORMAT_INVALID, reply(publisher, MqttMessageType.PUBREC, 41).reasonCode());

            publisher.send(publish("rc/pfi2/t", bytes("fresh"), 2, 41, utf8));
            assertEquals(SUCCESS, reply(publisher, MqttMessageType.PUBREC, 41).reasonCode());
            publisher.send(ack(MqttMessageType.PUBREL, 41, SUCCESS));
            assertEquals(SUCCESS, reply(publisher, MqttMessageType.PUBCOMP, 41).reasonCode());
            inbox.expect("rc/pfi2/t", "fresh");
            assertNull(inbox.poll(QUIET), "the refused message was delivered after all");
        } finally {
            subscriber.disconnect();
        }
    }

    // ---- reason strings ----------------------------------------------------------------------------

    @Test
    void errorAcknowledgementCarriesAReasonStringByDefault() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "rc-reason-default", MqttProperties.NO_PROPERTIES)) {
            client.send(publish("rc/reason/t", NOT_UTF8, 1, 51, intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)));
            Reply refused = reply(client, MqttMessageType.PUBACK, 51);
            assertEquals(PAYLOAD_FORMAT_INVALID, refused.reasonCode());
            MqttProperties.MqttProperty<?> reason = refused.properties().getProperty(MqttPropertyType.REASON_STRING.value());
            assertNotNull(reason, "no Reason String in the refusing PUBACK");
            assertFalse(((String) reason.value()).isBlank());
        }
    }

    @Test
    void noReasonStringWhenTheClientAskedForNoProblemInformation() throws Exception {
        MqttProperties connect = intProperty(MqttPropertyType.REQUEST_PROBLEM_INFORMATION, 0);
        try (RawClient client = RawClient.connected5(broker.port(), "rc-reason-off", connect)) {
            client.send(publish("rc/reason/t", NOT_UTF8, 1, 52, intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)));
            Reply refused = reply(client, MqttMessageType.PUBACK, 52);
            assertEquals(PAYLOAD_FORMAT_INVALID, refused.reasonCode());
            assertNull(refused.properties().getProperty(MqttPropertyType.REASON_STRING.value()),
                    "Reason String sent although Request Problem Information was 0");
            assertTrue(refused.properties().getProperties(MqttPropertyType.USER_PROPERTY.value()).isEmpty(),
                    "User Properties sent although Request Problem Information was 0");
        }
    }

    // ---- a client's PUBREC with an error -----------------------------------------------------------

    @Test
    void clientPubRecWithAnErrorEndsTheQos2FlowAndFreesItsSlot() throws Exception {
        // Receive Maximum 1: the second message can only come once the first one's slot is free.
        MqttProperties connect = intProperty(MqttPropertyType.RECEIVE_MAXIMUM, 1);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rc-refuse-pub", new Inbox5());
        try (RawClient subscriber = RawClient.connected5(broker.port(), "rc-refuse-sub", connect)) {
            subscriber.subscribe(1, "rc/refuse/t", 2);
            publisher.publishWith().topic("rc/refuse/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("refused")).send();
            publisher.publishWith().topic("rc/refuse/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("accepted")).send();

            RawClient.Received first = subscriber.receivePublish();
            assertEquals("refused", first.payload());
            assertEquals(2, first.qos());
            subscriber.send(ack(MqttMessageType.PUBREC, first.packetId(), UNSPECIFIED_ERROR));

            // No PUBREL for the refused message: the next packet is the second PUBLISH.
            RawClient.Received second = subscriber.receivePublish();
            assertEquals("accepted", second.payload());
            subscriber.send(ack(MqttMessageType.PUBREC, second.packetId(), SUCCESS));
            assertEquals(SUCCESS, reply(subscriber, MqttMessageType.PUBREL, second.packetId()).reasonCode());
            subscriber.send(ack(MqttMessageType.PUBCOMP, second.packetId(), SUCCESS));
            assertNull(subscriber.receive(QUIET), "the broker sent more after the flows ended");
        } finally {
            publisher.disconnect();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static Mqtt5PubAck pubAck(Mqtt5PublishResult result) {
        assertTrue(result.getError().isEmpty(), () -> "publish failed: " + result.getError());
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck();
    }

    private static Mqtt5PubRec pubRec(Mqtt5PublishResult result) {
        assertTrue(result.getError().isEmpty(), () -> "publish failed: " + result.getError());
        return ((Mqtt5PublishResult.Mqtt5Qos2Result) result).getPubRec();
    }

    /** A PUBACK, PUBREC, PUBREL or PUBCOMP with an MQTT 5 reason code. */
    private static MqttMessage ack(MqttMessageType type, int packetId, int reasonCode) {
        MqttQoS flags = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, flags, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, MqttProperties.NO_PROPERTIES));
    }

    private static MqttMessage expect(RawClient client, MqttMessageType type) throws Exception {
        MqttMessage message = client.receive();
        assertNotNull(message, "expected " + type + ", got nothing");
        assertEquals(type, message.fixedHeader().messageType(), "unexpected packet " + message);
        return message;
    }

    /** An acknowledgement as received (a 2-byte one means reason code 0 and no properties). */
    private record Reply(int packetId, int reasonCode, MqttProperties properties) {
    }

    /** The next packet, which must be an acknowledgement of {@code type} for {@code packetId}. */
    private static Reply reply(RawClient client, MqttMessageType type, int packetId) throws Exception {
        MqttMessage message = expect(client, type);
        Reply reply;
        if (message.variableHeader() instanceof MqttPubReplyMessageVariableHeader header) {
            reply = new Reply(header.messageId(), header.reasonCode() & 0xFF, header.properties());
        } else {
            reply = new Reply(((MqttMessageIdVariableHeader) message.variableHeader()).messageId(), 0,
                    MqttProperties.NO_PROPERTIES);
        }
        assertEquals(packetId, reply.packetId(), "packet identifier of the " + type);
        return reply;
    }
}
