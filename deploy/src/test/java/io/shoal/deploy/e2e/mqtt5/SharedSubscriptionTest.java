package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.shoal.deploy.e2e.Clients;
import io.shoal.deploy.e2e.Inbox;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared subscriptions ($share/{group}/{filter}, MQTT 5 4.8.2, also accepted from MQTT 3.1.1
 * clients): one delivery per group per message, the configured dispatch strategy, redelivery to
 * another member when one leaves, and no retained messages.
 */
class SharedSubscriptionTest {

    private static final Duration QUIET = Duration.ofMillis(500);

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static void subscribe(Mqtt5BlockingClient client, String filter) {
        Mqtt5SubAck ack = client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1), ack.getReasonCodes());
    }

    /** Takes what is already in (or arrives within a moment at) an inbox, as payloads. */
    private static List<String> drain(Inbox5 inbox) {
        List<String> payloads = new ArrayList<>();
        Inbox5.Message m;
        while ((m = inbox.poll(QUIET)) != null) {
            payloads.add(m.payload());
        }
        return payloads;
    }

    @Test
    void eachGroupGetsEveryMessageOnceAndRoundRobinSharesIt() {
        Inbox5 a = new Inbox5();
        Inbox5 b = new Inbox5();
        Inbox5 c = new Inbox5();
        Inbox5 plain = new Inbox5();
        Mqtt5BlockingClient memberA = Clients5.hivemq(broker, "rr-a", a);
        Mqtt5BlockingClient memberB = Clients5.hivemq(broker, "rr-b", b);
        Mqtt5BlockingClient soleMember = Clients5.hivemq(broker, "rr-c", c);
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "rr-plain", plain);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rr-publisher", new Inbox5());
        try {
            subscribe(memberA, "$share/workers/rr/jobs/+");
            subscribe(memberB, "$share/workers/rr/jobs/+");
            subscribe(soleMember, "$share/auditors/rr/jobs/#");
            subscribe(subscriber, "rr/jobs/+");
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                publish(publisher, "rr/jobs/" + (i % 3), "job-" + i);
                sent.add("job-" + i);
            }
            for (int i = 0; i < 20; i++) {
                plain.next();
                c.next();
            }
            List<String> toA = drain(a);
            List<String> toB = drain(b);
            Set<String> group = new HashSet<>(toA);
            group.addAll(toB);
            assertEquals(20, toA.size() + toB.size(), "one delivery per message to the group [MQTT-4.8.2-3]");
            assertEquals(sent, group);
            assertEquals(10, toA.size(), "round robin alternates between the two members");
            assertEquals(10, toB.size());
            assertTrue(drain(c).isEmpty() && drain(plain).isEmpty(), "no extra deliveries");
        } finally {
            publisher.disconnect();
            subscriber.disconnect();
            soleMember.disconnect();
            memberB.disconnect();
            memberA.disconnect();
        }
    }

    @Test
    void mqtt311ClientsCanJoinAGroup() throws Exception {
        Inbox v3 = new Inbox();
        Inbox5 v5 = new Inbox5();
        org.eclipse.paho.client.mqttv3.MqttClient member311 = Clients.paho(broker, "mixed-311", true);
        Mqtt5BlockingClient member5 = Clients5.hivemq(broker, "mixed-5", v5);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "mixed-publisher", new Inbox5());
        try {
            // Paho 3 hands a message to a subscription's listener by matching its topic against the
            // filter as written, which a $share filter never matches: take them all in a callback.
            member311.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                    v3.messageArrived(topic, message);
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                }
            });
            member311.subscribe("$share/mixed/mx/#", 1);
            subscribe(member5, "$share/mixed/mx/#");
            for (int i = 0; i < 10; i++) {
                publish(publisher, "mx/t", "m" + i);
            }
            Set<String> received = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Inbox.Message m = v3.next();
                assertEquals("mx/t", m.topic());
                received.add(m.payload());
                received.add(v5.next().payload());
            }
            assertEquals(10, received.size(), "the two members shared the ten messages, each once");
            assertEquals(0, v3.size());
            assertNull(v5.poll(QUIET));
        } finally {
            publisher.disconnect();
            member5.disconnect();
            member311.disconnect();
            member311.close();
        }
    }

    @Test
    void retainedMessagesAreNotSentOnASharedSubscription() {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "ret-publisher", new Inbox5());
        publisher.publishWith().topic("sret/state").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("on".getBytes(StandardCharsets.UTF_8)).send();
        Inbox5 shared = new Inbox5();
        Inbox5 plain = new Inbox5();
        Mqtt5BlockingClient member = Clients5.hivemq(broker, "ret-member", shared);
        Mqtt5BlockingClient subscriber = Clients5.hivemq(broker, "ret-plain", plain);
        try {
            subscribe(member, "$share/g/sret/state");
            subscribe(subscriber, "sret/state");
            assertTrue(plain.expect("sret/state", "on").retain());
            assertNull(shared.poll(QUIET), "retained messages go to new non-shared subscriptions only (MQTT 5 3.3.1.3)");
            publish(publisher, "sret/state", "off");
            assertEquals("off", shared.next().payload(), "new messages still arrive");
        } finally {
            publisher.publishWith().topic("sret/state").retain(true).send(); // clear it
            subscriber.disconnect();
            member.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void unacknowledgedQos1MessageOfALeavingMemberGoesToAnotherMember() throws Exception {
        Inbox5 stays = new Inbox5();
        Mqtt5BlockingClient remaining = Clients5.hivemq(broker, "redeliver-stays", stays);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "redeliver-publisher", new Inbox5());
        long before = broker.metrics().get(Counter.SHARED_REDELIVERED);
        try (RawClient leaving = RawClient.connected5(broker.port(), "redeliver-leaves", MqttProperties.NO_PROPERTIES)) {
            subscribeRaw(leaving, "$share/rd/redeliver/jobs", MqttQoS.AT_LEAST_ONCE);
            subscribe(remaining, "$share/rd/redeliver/jobs");
            publish(publisher, "redeliver/jobs", "job-1");
            publish(publisher, "redeliver/jobs", "job-2");
            RawClient.Received held = leaving.receivePublish(); // never acknowledged
            String other = stays.next().payload();
            assertEquals(Set.of("job-1", "job-2"), Set.of(held.payload(), other));

            leaving.dropConnection();
            assertEquals(held.payload(), stays.next().payload(),
                    "the message the leaver held goes to the other member");
            assertEquals(before + 1, broker.metrics().get(Counter.SHARED_REDELIVERED));
        } finally {
            publisher.disconnect();
            remaining.disconnect();
        }
    }

    @Test
    void qos2MessageAlreadySentIsNotGivenToAnotherMember() throws Exception {
        Inbox5 stays = new Inbox5();
        Mqtt5BlockingClient remaining = Clients5.hivemq(broker, "q2-stays", stays);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "q2-publisher", new Inbox5());
        try (RawClient leaving = RawClient.connected5(broker.port(), "q2-leaves", MqttProperties.NO_PROPERTIES)) {
            subscribeRaw(leaving, "$share/q2/q2/jobs", MqttQoS.EXACTLY_ONCE);
            remaining.subscribeWith().topicFilter("$share/q2/q2/jobs").qos(MqttQos.EXACTLY_ONCE).send();
            publisher.publishWith().topic("q2/jobs").qos(MqttQos.EXACTLY_ONCE)
                    .payload("a".getBytes(StandardCharsets.UTF_8)).send();
            publisher.publishWith().topic("q2/jobs").qos(MqttQos.EXACTLY_ONCE)
                    .payload("b".getBytes(StandardCharsets.UTF_8)).send();
            RawClient.Received held = leaving.receivePublish(); // no PUBREC
            String other = stays.next().payload();
            assertEquals(Set.of("a", "b"), Set.of(held.payload(), other));
            leaving.dropConnection();
            // Its delivery must complete with that client or not at all [MQTT-4.8.2-4, MQTT-4.8.2-5].
            assertNull(stays.poll(QUIET));
        } finally {
            publisher.disconnect();
            remaining.disconnect();
        }
    }

    @Test
    void invalidShareNamesAreRefusedPerFilter() throws Exception {
        try (RawClient client = RawClient.connected5(broker.port(), "bad-share", MqttProperties.NO_PROPERTIES)) {
            client.send(MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g+/x")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/only-group")
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/ok/x")
                    .build());
            MqttSubAckMessage ack = (MqttSubAckMessage) client.receive();
            assertEquals(List.of(0x8F, 0x8F, 1), ack.payload().reasonCodes(),
                    "Topic Filter invalid for a wildcard in the share name and for a missing filter");
        }
        try (RawClient client = RawClient.connected(broker.port(), "bad-share-311", true)) {
            client.send(MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g#/x").build());
            MqttSubAckMessage ack = (MqttSubAckMessage) client.receive();
            assertEquals(List.of(0x80), ack.payload().reasonCodes());
        }
    }

    @Test
    void unsubscribedMemberGetsNoMore() {
        Inbox5 a = new Inbox5();
        Inbox5 b = new Inbox5();
        Mqtt5BlockingClient memberA = Clients5.hivemq(broker, "unsub-a", a);
        Mqtt5BlockingClient memberB = Clients5.hivemq(broker, "unsub-b", b);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "unsub-publisher", new Inbox5());
        try {
            subscribe(memberA, "$share/u/unsub/t");
            subscribe(memberB, "$share/u/unsub/t");
            memberA.unsubscribeWith().topicFilter("$share/u/unsub/t").send();
            for (int i = 0; i < 4; i++) {
                publish(publisher, "unsub/t", "m" + i);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals("m" + i, b.next().payload());
            }
            assertNull(a.poll(QUIET));
        } finally {
            publisher.disconnect();
            memberB.disconnect();
            memberA.disconnect();
        }
    }

    @Test
    void stickyStrategyKeepsSendingToTheSameMember() {
        try (TestBroker sticky = TestBroker.start(Map.of("SHOAL_MQTT_SHARE_STRATEGY", "sticky"))) {
            Map<String, List<String>> byMember = runGroup(sticky, "sticky", 2, 1, 20);
            assertEquals(1, byMember.values().stream().filter(l -> !l.isEmpty()).count(),
                    "all messages went to one member: " + byMember);
        }
    }

    @Test
    void randomStrategyUsesEveryMember() {
        try (TestBroker random = TestBroker.start(Map.of("SHOAL_MQTT_SHARE_STRATEGY", "random"))) {
            Map<String, List<String>> byMember = runGroup(random, "random", 2, 1, 40);
            // Each of 40 independent picks misses a given member with probability 1/2: all to one
            // member happens once in 2^39 runs.
            assertTrue(byMember.values().stream().allMatch(l -> !l.isEmpty()), "both members got some: " + byMember);
        }
    }

    @Test
    void hashTopicStrategySendsATopicToOneMember() {
        try (TestBroker hashed = TestBroker.start(Map.of("SHOAL_MQTT_SHARE_STRATEGY", "hash-topic"))) {
            Map<String, List<String>> byMember = runGroup(hashed, "htopic", 3, 1, 30);
            assertEachKeyWithOneMember(byMember, payload -> payload.substring(0, payload.indexOf(':')));
        }
    }

    @Test
    void hashClientIdStrategySendsAPublishersMessagesToOneMember() {
        try (TestBroker hashed = TestBroker.start(Map.of("SHOAL_MQTT_SHARE_STRATEGY", "hash-client-id"))) {
            Map<String, List<String>> byMember = runGroup(hashed, "hclient", 3, 3, 30);
            assertEachKeyWithOneMember(byMember, payload -> payload.substring(payload.indexOf(':') + 1, payload.indexOf('#')));
        }
    }

    private static void assertEachKeyWithOneMember(Map<String, List<String>> byMember,
                                                   java.util.function.Function<String, String> key) {
        Map<String, String> memberOfKey = new HashMap<>();
        byMember.forEach((member, payloads) -> payloads.forEach(p -> {
            String previous = memberOfKey.put(key.apply(p), member);
            assertTrue(previous == null || previous.equals(member), key.apply(p) + " went to two members: " + byMember);
        }));
        assertTrue(memberOfKey.size() > 1, "the test used several keys");
    }

    /**
     * Three members of one group; {@code publishers} clients publish {@code count} messages in turn
     * over three topics, payload "topic:publisher#n". Returns the payloads each member received.
     */
    private static Map<String, List<String>> runGroup(TestBroker b, String name, int topics, int publishers, int count) {
        List<Inbox5> inboxes = List.of(new Inbox5(), new Inbox5(), new Inbox5());
        List<Mqtt5BlockingClient> members = new ArrayList<>();
        List<Mqtt5BlockingClient> senders = new ArrayList<>();
        try {
            for (int i = 0; i < inboxes.size(); i++) {
                Mqtt5BlockingClient member = Clients5.hivemq(b, name + "-member-" + i, inboxes.get(i));
                members.add(member);
                subscribe(member, "$share/" + name + "/" + name + "/#");
            }
            for (int p = 0; p < publishers; p++) {
                senders.add(Clients5.hivemq(b, name + "-publisher-" + p, new Inbox5()));
            }
            for (int n = 0; n < count; n++) {
                String topic = name + "/t" + (n % topics);
                String publisher = name + "-publisher-" + (n % publishers);
                publish(senders.get(n % publishers), topic, topic + ":" + publisher + "#" + n);
            }
            Map<String, List<String>> byMember = new HashMap<>();
            int total = 0;
            for (int i = 0; i < inboxes.size(); i++) {
                List<String> payloads = drain(inboxes.get(i));
                total += payloads.size();
                byMember.put("member-" + i, payloads);
            }
            assertEquals(count, total, "one delivery per message: " + byMember);
            return byMember;
        } finally {
            senders.forEach(Mqtt5BlockingClient::disconnect);
            members.forEach(Mqtt5BlockingClient::disconnect);
        }
    }

    private static void subscribeRaw(RawClient client, String filter, MqttQoS qos) throws Exception {
        client.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, filter).build());
        MqttMessage ack = client.receive();
        assertEquals(MqttMessageType.SUBACK, ack.fixedHeader().messageType());
    }
}
