package io.shoal.deploy.e2e.cluster;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.deploy.e2e.mqtt5.Clients5;
import io.shoal.deploy.e2e.mqtt5.Inbox5;
import io.shoal.node.metrics.Counter;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.shoal.deploy.e2e.cluster.ThreeNodes.awaitNoRoute;
import static io.shoal.deploy.e2e.cluster.ThreeNodes.awaitRoute;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three nodes as one broker, as MQTT clients connected to different nodes see it. */
class ClusterDeliveryTest {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension cassandra = new CassandraExtension();
    @RegisterExtension
    @Order(2)
    static final ThreeNodes nodes = new ThreeNodes(cassandra);

    private Mqtt5BlockingClient connect(TestBroker node, String clientId, Inbox5 inbox) {
        return nodes.track(Clients5.hivemq(node, clientId, inbox));
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String payload, int qos, boolean retain) {
        client.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.fromCode(qos)).retain(retain).send();
    }

    @Test
    void aPublishOnOneNodeReachesSubscribersOnTheOtherTwoAtEachQos() {
        Inbox5 onB = new Inbox5();
        Inbox5 onC = new Inbox5();
        connect(nodes.b, "qos-sub-b", onB).subscribeWith().topicFilter("qos/t").qos(MqttQos.EXACTLY_ONCE).send();
        connect(nodes.c, "qos-sub-c", onC).subscribeWith().topicFilter("qos/t").qos(MqttQos.EXACTLY_ONCE).send();
        awaitRoute(nodes.a, "qos/t", nodes.b);
        awaitRoute(nodes.a, "qos/t", nodes.c);
        long forwardedBefore = nodes.a.metrics().get(Counter.MESSAGES_FORWARDED);

        Mqtt5BlockingClient publisher = connect(nodes.a, "qos-pub", new Inbox5());
        for (int qos = 0; qos <= 2; qos++) {
            publish(publisher, "qos/t", "at qos " + qos, qos, false);
        }

        for (Inbox5 inbox : List.of(onB, onC)) {
            for (int qos = 0; qos <= 2; qos++) {
                assertEquals(qos, inbox.expect("qos/t", "at qos " + qos).qos(), "in order, at the published QoS");
            }
        }
        assertEquals(6, nodes.a.metrics().get(Counter.MESSAGES_FORWARDED) - forwardedBefore,
                "one forward per message and node, not per subscriber");
    }

    @Test
    void aNodeForwardsOnceHoweverManySubscribersItHasAndInOrder() {
        List<Inbox5> inboxes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Inbox5 inbox = new Inbox5();
            inboxes.add(inbox);
            connect(nodes.b, "many-" + i, inbox).subscribeWith().topicFilter("many/t").qos(MqttQos.AT_LEAST_ONCE).send();
        }
        awaitRoute(nodes.c, "many/t", nodes.b);
        long forwardedBefore = nodes.c.metrics().get(Counter.MESSAGES_FORWARDED);

        Mqtt5BlockingClient publisher = connect(nodes.c, "many-pub", new Inbox5());
        for (int i = 0; i < 50; i++) {
            publish(publisher, "many/t", "m" + i, 1, false);
        }

        for (Inbox5 inbox : inboxes) {
            for (int i = 0; i < 50; i++) {
                inbox.expect("many/t", "m" + i);
            }
        }
        assertEquals(50, nodes.c.metrics().get(Counter.MESSAGES_FORWARDED) - forwardedBefore);
    }

    @Test
    void wildcardSubscriptionsMatchAcrossNodes() {
        Inbox5 plus = new Inbox5();
        Inbox5 hash = new Inbox5();
        connect(nodes.b, "wild-plus", plus).subscribeWith().topicFilter("wild/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();
        connect(nodes.c, "wild-hash", hash).subscribeWith().topicFilter("wild/#").qos(MqttQos.AT_LEAST_ONCE).send();
        awaitRoute(nodes.a, "wild/7/temp", nodes.b);
        awaitRoute(nodes.a, "wild/7/temp", nodes.c);

        Mqtt5BlockingClient publisher = connect(nodes.a, "wild-pub", new Inbox5());
        publish(publisher, "wild/7/temp", "21C", 1, false);
        publish(publisher, "wild/7/humidity", "40%", 1, false);

        plus.expect("wild/7/temp", "21C");
        hash.expect("wild/7/temp", "21C");
        hash.expect("wild/7/humidity", "40%");
        assertNull(plus.poll(Duration.ofMillis(300)), "wild/+/temp does not match wild/7/humidity");
    }

    @Test
    void aSharedSubscriptionGetsEachMessageOnceAcrossNodes() {
        Inbox5 memberB = new Inbox5();
        Inbox5 memberC = new Inbox5();
        connect(nodes.b, "share-b", memberB).subscribeWith().topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE).send();
        connect(nodes.c, "share-c", memberC).subscribeWith().topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE).send();
        String b = nodes.b.node().routingTable().selfId();
        String c = nodes.c.node().routingTable().selfId();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                nodes.a.node().routingTable().nodesOfGroup("workers/jobs/#").containsAll(List.of(b, c)));

        Mqtt5BlockingClient publisher = connect(nodes.a, "share-pub", new Inbox5());
        int messages = 40;
        for (int i = 0; i < messages; i++) {
            publish(publisher, "jobs/" + i, "job " + i, 1, false);
        }

        Set<String> received = new HashSet<>();
        int[] perMember = new int[2];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            drain(memberB, received, perMember, 0);
            drain(memberC, received, perMember, 1);
            return perMember[0] + perMember[1] >= messages;
        });
        assertEquals(messages, perMember[0] + perMember[1], "each message once, to one member of the group");
        assertEquals(messages, received.size());
        assertTrue(perMember[0] > 0 && perMember[1] > 0, "both nodes' members got messages: " + perMember[0]
                + " and " + perMember[1]);
        assertNull(memberB.poll(Duration.ofMillis(200)));
        assertNull(memberC.poll(Duration.ofMillis(200)));
    }

    @Test
    void aSharedSubscriptionPrefersAMemberOnThePublishersNode() {
        Inbox5 local = new Inbox5();
        Inbox5 remote = new Inbox5();
        connect(nodes.a, "prefer-a", local).subscribeWith().topicFilter("$share/near/near/t").qos(MqttQos.AT_LEAST_ONCE).send();
        connect(nodes.b, "prefer-b", remote).subscribeWith().topicFilter("$share/near/near/t").qos(MqttQos.AT_LEAST_ONCE).send();
        String b = nodes.b.node().routingTable().selfId();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                nodes.a.node().routingTable().nodesOfGroup("near/near/t").contains(b));

        Mqtt5BlockingClient publisher = connect(nodes.a, "prefer-pub", new Inbox5());
        for (int i = 0; i < 10; i++) {
            publish(publisher, "near/t", "n" + i, 1, false);
        }
        for (int i = 0; i < 10; i++) {
            local.expect("near/t", "n" + i);
        }
        assertNull(remote.poll(Duration.ofMillis(300)), "the member on another node gets none");
    }

    @Test
    void aRetainedMessageSetOnOneNodeIsSeenBySubscribersOnEveryNodeAndAClearToo() {
        Mqtt5BlockingClient publisher = connect(nodes.a, "retain-pub", new Inbox5());
        publish(publisher, "retained/lamp", "on", 1, true);

        for (TestBroker node : List.of(nodes.b, nodes.c)) {
            awaitRetained(node, "retained/+", "on");
        }

        publish(connect(nodes.b, "retain-clearer", new Inbox5()), "retained/lamp", "", 1, true);
        for (TestBroker node : List.of(nodes.a, nodes.c)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> retainedSeenBy(node, "retained/#") == null);
        }
    }

    /** Subscribes anew on {@code node} until the retained message arrives (the change travels asynchronously). */
    private void awaitRetained(TestBroker node, String filter, String payload) {
        await().atMost(Duration.ofSeconds(10)).until(() -> payload.equals(retainedSeenBy(node, filter)));
    }

    private String retainedSeenBy(TestBroker node, String filter) {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient probe = Clients5.hivemq(node, "retain-probe", inbox);
        try {
            probe.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
            Inbox5.Message m = inbox.poll(Duration.ofMillis(300));
            assertTrue(m == null || m.retain(), "only the retained message: " + m);
            return m == null ? null : m.payload();
        } finally {
            probe.disconnect();
        }
    }

    @Test
    void afterAnUnsubscribeOnANodeNothingIsForwardedThereAnyMore() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient subscriber = connect(nodes.c, "unsub-c", inbox);
        subscriber.subscribeWith().topicFilter("unsub/t").qos(MqttQos.AT_LEAST_ONCE).send();
        awaitRoute(nodes.a, "unsub/t", nodes.c);
        Mqtt5BlockingClient publisher = connect(nodes.a, "unsub-pub", new Inbox5());
        publish(publisher, "unsub/t", "before", 1, false);
        inbox.expect("unsub/t", "before");

        subscriber.unsubscribeWith().topicFilter("unsub/t").send();
        awaitNoRoute(nodes.a, "unsub/t");
        long forwardedBefore = nodes.a.metrics().get(Counter.MESSAGES_FORWARDED);
        publish(publisher, "unsub/t", "after", 1, false);

        assertNull(inbox.poll(Duration.ofMillis(500)), "nothing after the unsubscribe");
        assertEquals(forwardedBefore, nodes.a.metrics().get(Counter.MESSAGES_FORWARDED),
                "a topic nobody elsewhere subscribes to costs no message to another node");
    }

    private static void drain(Inbox5 inbox, Set<String> received, int[] perMember, int member) {
        for (Inbox5.Message m = inbox.poll(Duration.ZERO); m != null; m = inbox.poll(Duration.ZERO)) {
            assertTrue(received.add(m.payload()), "delivered twice: " + m.payload());
            perMember[member]++;
        }
    }
}
