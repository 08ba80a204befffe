package io.shoal.deploy.e2e.cluster;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.deploy.e2e.mqtt5.Clients5;
import io.shoal.deploy.e2e.mqtt5.Inbox5;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.shoal.deploy.e2e.cluster.ThreeNodes.awaitRoute;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client's session as it moves between the nodes of a three-node cluster. */
class ClusterSessionTest {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension cassandra = new CassandraExtension();
    @RegisterExtension
    @Order(2)
    static final ThreeNodes nodes = new ThreeNodes(cassandra);

    /** A client with a session kept 300 s after it leaves, feeding {@code inbox}; not yet connected. */
    private Mqtt5BlockingClient persistent(TestBroker node, String clientId, Inbox5 inbox) {
        Mqtt5BlockingClient client = Clients5.hivemq(node, clientId);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        return nodes.track(client);
    }

    private static Mqtt5ConnAck resume(Mqtt5BlockingClient client) {
        return client.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
    }

    private Mqtt5BlockingClient publisher(TestBroker node, String clientId) {
        return nodes.track(Clients5.hivemq(node, clientId, new Inbox5()));
    }

    private static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @Test
    void aSessionLeftOnOneNodeIsResumedOnAnotherWithItsQueuedMessagesInOrder() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient onA = persistent(nodes.a, "mover", inbox);
        resume(onA);
        onA.subscribeWith().topicFilter("move/#").qos(MqttQos.AT_LEAST_ONCE).send();
        awaitRoute(nodes.b, "move/t", nodes.a);
        Mqtt5BlockingClient publisher = publisher(nodes.b, "mover-pub");
        publish(publisher, "move/t", "online");
        inbox.expect("move/t", "online");
        onA.disconnect();

        for (int i = 0; i < 20; i++) {
            publish(publisher, "move/t", "queued " + i);
        }

        Mqtt5BlockingClient onC = persistent(nodes.c, "mover", inbox);
        assertTrue(resume(onC).isSessionPresent(), "the session of node A is present on node C");
        for (int i = 0; i < 20; i++) {
            inbox.expect("move/t", "queued " + i);
        }
        awaitRoute(nodes.b, "move/t", nodes.c);
        publish(publisher, "move/t", "after the move");
        inbox.expect("move/t", "after the move");
        assertNull(inbox.poll(Duration.ofMillis(300)), "nothing twice");
    }

    @Test
    void aTakeoverOnAnotherNodeClosesTheFirstConnectionAndKeepsEveryMessageInOrder() throws Exception {
        Mqtt5BlockingClient publisher = publisher(nodes.b, "takeover-pub");
        try (RawClient first = RawClient.connected5(nodes.a.port(), "takeover-x", sessionExpiry(300))) {
            first.subscribe(1, "takeover/t", 1);
            awaitRoute(nodes.b, "takeover/t", nodes.a);
            // Not waiting for each PUBACK: they come once the subscriber acknowledges or its session
            // journals what it holds (journal-unacknowledged-after).
            List<CompletableFuture<?>> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acknowledged.add(publisher.toAsync().publishWith().topic("takeover/t")
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send());
            }
            // Received, never acknowledged: they must reach the successor.
            Set<String> heldByFirst = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                heldByFirst.add(first.receivePublish().payload());
            }
            assertEquals(10, heldByFirst.size());
            CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            Inbox5 inbox = new Inbox5();
            Mqtt5BlockingClient second = persistent(nodes.c, "takeover-x", inbox);
            assertTrue(resume(second).isSessionPresent());
            assertTrue(first.awaitClosed(Duration.ofSeconds(10)), "the connection on node A was closed");
            for (int i = 0; i < 10; i++) {
                Inbox5.Message m = inbox.next();
                assertEquals("m" + i, m.payload(), "unacknowledged messages re-sent in order");
            }
            awaitRoute(nodes.b, "takeover/t", nodes.c);
            publish(publisher, "takeover/t", "later");
            inbox.expect("takeover/t", "later");
        }
    }

    private static MqttProperties sessionExpiry(int seconds) {
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.IntegerProperty(
                MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), seconds));
        return properties;
    }

    @Test
    void twoClientsRacingWithOneIdOnTwoNodesEndWithExactlyOneConnected() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = "racer-" + round;
            Mqtt5BlockingClient onA = persistent(nodes.a, id, new Inbox5());
            Mqtt5BlockingClient onB = persistent(nodes.b, id, new Inbox5());
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> connectAfter(start, onA));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> connectAfter(start, onB));
            start.countDown();
            CompletableFuture.allOf(a, b).get(30, TimeUnit.SECONDS);

            // The entity answers one connect after the other: the later one takes over the earlier.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    onA.getState().isConnected() != onB.getState().isConnected());
            Mqtt5BlockingClient winner = onA.getState().isConnected() ? onA : onB;
            Mqtt5BlockingClient loser = winner == onA ? onB : onA;
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> winner.getState().isConnected() && !loser.getState().isConnected());
        }
    }

    private static void connectAfter(CountDownLatch start, Mqtt5BlockingClient client) {
        try {
            start.await();
            resume(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException taken) {
            // The loser may be taken over before or during its CONNACK; the assertions count who is left.
        }
    }

    @Test
    void aSharedSubscriptionMessageLeftUnacknowledgedOnOneNodeGoesToAMemberOnAnother() throws Exception {
        Inbox5 stays = new Inbox5();
        Mqtt5BlockingClient remaining = persistent(nodes.c, "share-stays", stays);
        remaining.connect();
        remaining.subscribeWith().topicFilter("$share/rd/cluster/jobs").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient publisher = publisher(nodes.a, "share-rd-pub");
        try (RawClient leaving = RawClient.connected5(nodes.b.port(), "share-leaves", MqttProperties.NO_PROPERTIES)) {
            leaving.subscribe(1, "$share/rd/cluster/jobs", MqttQoS.AT_LEAST_ONCE.value());
            String b = nodes.b.node().routingTable().selfId();
            String c = nodes.c.node().routingTable().selfId();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    nodes.a.node().routingTable().nodesOfGroup("rd/cluster/jobs").containsAll(List.of(b, c)));

            // Round robin over the two nodes: one of two messages goes to each.
            publish(publisher, "cluster/jobs", "job-1");
            publish(publisher, "cluster/jobs", "job-2");
            RawClient.Received held = leaving.receivePublish(); // never acknowledged
            String other = stays.next().payload();
            assertEquals(Set.of("job-1", "job-2"), Set.of(held.payload(), other));

            leaving.dropConnection();
            assertEquals(held.payload(), stays.next().payload(),
                    "the message the member on node B held goes to the member on node C");
            assertNull(stays.poll(Duration.ofMillis(300)), "and only that one");
        }
    }
}
