package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.shoal.persistence.testkit.CassandraExtension;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three broker JVMs on one Cassandra behind HAProxy, as in production: persistent-session clients
 * connect only through the balancer. The node carrying the most clients is killed with SIGKILL in
 * the middle of a QoS 1 load; its clients reconnect through the balancer to the others. Every
 * message the broker acknowledged must reach every persistent subscriber (duplicates are allowed by
 * QoS 1). Then the node is started again and must rejoin and serve.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterKillIT {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    private static final int SUBSCRIBERS = 6;
    private static final int PUBLISHERS = 4;
    private static final int MESSAGES_PER_SECOND = 50;
    private static final int MAX_MESSAGES_PER_PUBLISHER = 6000;
    private static final Duration MAX_LOAD_DURATION = Duration.ofMinutes(2);
    /** Messages each publisher still sends once every client is back, so that the survivors also carry the load alone. */
    private static final int MESSAGES_AFTER_RECOVERY = 5 * MESSAGES_PER_SECOND;
    /**
     * Sessions left with a delayed will before the load starts, so a few seconds before the kill and
     * with a delay that ends after it: the killed node dies holding armed will timers. Their entities
     * are spread over the three nodes: the chance that none of 30 is on the killed node is (2/3)^30,
     * about 5 in a million. As many again leave just before the kill: the detaches of those whose
     * entity is on the killed node may die with it, and must reach the entity recovered elsewhere.
     */
    private static final int DELAYED_WILLS = 30;
    private static final long WILL_DELAY_SECONDS = 20;

    private static Path logs;
    private static ShoalCluster cluster;
    private static HaProxy balancer;
    private static int balancerPort;
    private static final List<AutoCloseable> clients = new ArrayList<>();
    /** Set by the first test once it has killed a node; the second restarts it. */
    private static ClusterNode killed;
    private static final BlockingQueue<Mqtt5Publish> wills = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startThreeNodesBehindHaProxy() throws Exception {
        if (!HaProxy.installed()) {
            return; // each test skips itself, saying why: a skip here would not show the reason
        }
        logs = BrokerProcess.outputDirectory("cluster-it/" + ClusterKillIT.class.getSimpleName());
        cluster = ShoalCluster.onLoopback(3, Map.of(
                "SHOAL_PERSISTENCE", "cassandra",
                "SHOAL_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
                "SHOAL_CASSANDRA_KEYSPACE", cassandra.keyspace(),
                // Down a dead node after 5 s of stable membership instead of 20 s, to keep the test short.
                "SHOAL_CLUSTER_SPLIT_BRAIN_RESOLVER_STABLE_AFTER", "5s"), logs);
        cluster.start();
        balancerPort = BrokerProcess.freePort();
        balancer = HaProxy.start(logs, HaProxy.balancer(balancerPort, cluster.nodes()));
        awaitBalancerSeesUp(cluster.nodes());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (balancer != null) {
            balancer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void needsHaProxy() {
        HaProxy.assumeInstalled();
    }

    @Test
    @Order(1)
    void everyAcknowledgedMessageReachesEveryPersistentSubscriberWhenTheBusiestNodeIsKilled() throws Exception {
        List<CountingSubscriber> subscribers = new ArrayList<>();
        for (int i = 1; i <= SUBSCRIBERS; i++) {
            subscribers.add(register(CountingSubscriber.subscribe("sub" + i, "127.0.0.1", balancerPort,
                    "127.0.10." + i, "load/#")));
        }
        List<AckCountingPublisher> publishers = new ArrayList<>();
        for (int i = 1; i <= PUBLISHERS; i++) {
            publishers.add(register(AckCountingPublisher.connect("pub" + i, "127.0.0.1", balancerPort, "127.0.11." + i)));
        }
        DeliveryReport report = new DeliveryReport(publishers, subscribers);
        try {
            // A subscription reaches the other nodes' routing tables by gossip, after its SUBACK.
            Set<String> probes = publishers.stream().map(AckCountingPublisher::probePayload).collect(Collectors.toSet());
            await("every publisher's node routes to every subscriber").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        publishers.forEach(AckCountingPublisher::probe);
                        return subscribers.stream().allMatch(s -> s.received().keySet().containsAll(probes));
                    });
            Map<String, Integer> connections = balancer.connectionsPerNode();
            ClusterNode busiest = cluster.nodes().stream()
                    .max(Comparator.comparingInt((ClusterNode n) -> connections.get(n.name()))).orElseThrow();
            ClusterNode survivor = cluster.others(busiest).get(0);
            Mqtt5BlockingClient willWatcher = DirectClients.connect(survivor, "will-watcher", wills);
            DirectClients.subscribe(willWatcher, "wills/#");
            leaveDelayedWills(survivor, "will-");
            publishers.forEach(p -> p.start(MESSAGES_PER_SECOND, MAX_MESSAGES_PER_PUBLISHER, MAX_LOAD_DURATION));
            await("every subscriber receives the load").atMost(Duration.ofSeconds(60))
                    .until(() -> subscribers.stream().allMatch(s -> s.deliveries() >= 5L * MESSAGES_PER_SECOND));

            killed = busiest;
            leaveDelayedWills(survivor, "late-will-");
            report.moment("SIGKILL of " + killed.name() + " (client connections per node " + connections + ")");
            long killedAt = System.nanoTime();
            killed.kill();

            ShoalCluster.awaitMembers(cluster.others(killed), 2, 0);
            report.moment("survivors removed " + killed.name() + " after "
                    + (System.nanoTime() - killedAt) / 1_000_000 + " ms");
            await("every client reconnected through the balancer").atMost(Duration.ofSeconds(60))
                    .until(() -> subscribers.stream().allMatch(CountingSubscriber::connected)
                            && publishers.stream().allMatch(AckCountingPublisher::connected));
            report.moment("every client reconnected after " + (System.nanoTime() - killedAt) / 1_000_000 + " ms");
            // Refused until the lost node's sessions are taken over (the sweep); acknowledged again after.
            Map<AckCountingPublisher, Integer> recovered = new HashMap<>();
            publishers.forEach(p -> recovered.put(p, p.acknowledged().size()));
            await("publishes acknowledged again on the survivors").atMost(Duration.ofSeconds(60)).until(() -> publishers
                    .stream().allMatch(p -> p.acknowledged().size() >= recovered.get(p) + MESSAGES_AFTER_RECOVERY));
            report.moment("each publisher had " + MESSAGES_AFTER_RECOVERY + " more acknowledged after "
                    + (System.nanoTime() - killedAt) / 1_000_000 + " ms");
        } finally {
            publishers.forEach(AckCountingPublisher::stop);
            report.moment("load stopped");
            // Bounded drains: what is still unanswered or undelivered after them is reported as such.
            waitAtMost(Duration.ofSeconds(30), () -> publishers.stream().allMatch(p -> p.pending() == 0));
            waitAtMost(Duration.ofSeconds(60), () -> report.lost() == 0
                    || subscribers.stream().allMatch(s -> s.millisSinceLastDelivery() > 3000));
            Files.writeString(logs.resolve("delivery-report.txt"), report.toString());
            System.out.println("ClusterKillIT delivery report (logs in " + logs + "):\n" + report);
        }

        // The entities of some of these sessions were on the killed node, with their will timers.
        waitAtMost(Duration.ofSeconds(60), () -> willTopics().size() == 2 * DELAYED_WILLS);
        Set<String> expectedWills = Stream.of("wills/will-", "wills/late-will-")
                .flatMap(prefix -> IntStream.range(0, DELAYED_WILLS).mapToObj(i -> prefix + i))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expectedWills, new TreeSet<>(willTopics()),
                "every delayed will, also those whose session's node was killed");
        assertAll(
                () -> assertTrue(report.acknowledged().size() > MESSAGES_AFTER_RECOVERY, "the load ran:\n" + report),
                () -> assertEquals(0, report.lost(), "acknowledged messages lost:\n" + report),
                () -> assertTrue(subscribers.stream().allMatch(s -> !s.resumedSessions().contains(false))
                        && publishers.stream().allMatch(p -> !p.resumedSessions().contains(false)),
                        "every reconnection resumed its session:\n" + report));
    }

    /**
     * Clients of {@code node} that leave with their will delayed (MQTT 5 DISCONNECT 0x04): their
     * sessions, wherever their entities run, must publish the wills after the delay.
     */
    private static void leaveDelayedWills(ClusterNode node, String prefix) {
        for (int i = 0; i < DELAYED_WILLS; i++) {
            Mqtt5BlockingClient client = DirectClients.builder(node, prefix + i).buildBlocking();
            client.connectWith().cleanStart(true).sessionExpiryInterval(WILL_DELAY_SECONDS * 10)
                    .willPublish().topic("wills/" + prefix + i).payload("gone".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).delayInterval(WILL_DELAY_SECONDS).applyWillPublish()
                    .send();
            client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
        }
    }

    private static Set<String> willTopics() {
        return wills.stream().map(p -> p.getTopic().toString()).collect(Collectors.toSet());
    }

    @Test
    @Order(2)
    void theKilledNodeRestartsRejoinsAndTakesTraffic() {
        assumeTrue(killed != null, "the first test did not get as far as killing a node");
        killed.start();
        killed.awaitReady();
        ShoalCluster.awaitMembers(cluster.nodes(), 3, 0);
        awaitBalancerSeesUp(List.of(killed));

        ClusterNode other = cluster.others(killed).get(0);
        assertDelivered(killed, other, "rejoin/from-restarted");
        assertDelivered(other, killed, "rejoin/to-restarted");
    }

    /** A client connected straight to {@code from}'s MQTT port reaches a subscriber on {@code to}. */
    private static void assertDelivered(ClusterNode from, ClusterNode to, String topic) {
        BlockingQueue<Mqtt5Publish> inbox = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient subscriber = DirectClients.connect(to, "sub-" + to.name(), inbox);
        DirectClients.subscribe(subscriber, topic);
        Mqtt5BlockingClient publisher = DirectClients.connect(from, "pub-" + from.name(), new LinkedBlockingQueue<>());
        DirectClients.publishUntilReceived(publisher, topic, "from " + from.name(), inbox);
        publisher.disconnect();
        subscriber.disconnect();
    }

    private static void awaitBalancerSeesUp(List<ClusterNode> nodes) {
        await("HAProxy's checks pass for " + nodes).atMost(Duration.ofSeconds(30))
                .until(() -> nodes.stream().allMatch(n -> "UP".equals(balancer.nodeStates().get(n.name()))));
    }

    private static <T extends AutoCloseable> T register(T client) {
        clients.add(client);
        return client;
    }

    /** Waits for {@code condition} at most {@code atMost}, then goes on either way. */
    private static void waitAtMost(Duration atMost, Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(condition);
        } catch (ConditionTimeoutException e) {
            // What the condition waited for is in the report.
        }
    }
}
