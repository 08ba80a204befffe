package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real network partition: three broker JVMs, each in a network namespace of its own, and node 3
 * cut off from nodes 1 and 2 (blackhole routes both ways) while the test's clients still reach all
 * three. The Split Brain Resolver (keep-majority) must stop the minority (node 3 downs itself and
 * exits) and keep the majority serving, which takes over node 3's sessions. After the partition
 * heals and node 3 is started again, the cluster is whole and every session is active once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPartitionIT {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    /** ShoalMain's exit code when the cluster removed the node. */
    private static final int EXIT_REMOVED_FROM_CLUSTER = 3;

    /** Why network namespaces cannot be used here, or null. */
    private static String noNamespaces;
    private static NetworkNamespaces network;
    private static HaProxy cassandraForwarder;
    private static ShoalCluster cluster;
    private static ClusterNode node1;
    private static ClusterNode node2;
    private static ClusterNode node3;
    private static final List<Mqtt5BlockingClient> clients = new ArrayList<>();
    /** A persistent session's connection to node 3 before the partition. */
    private static Mqtt5BlockingClient onMinority;
    /** The persistent session that was on node 3 and moved to node 1, with what it receives there. */
    private static Mqtt5BlockingClient moved;
    private static final BlockingQueue<Mqtt5Publish> movedInbox = new LinkedBlockingQueue<>();
    private static final AtomicInteger movedDisconnects = new AtomicInteger();

    @BeforeAll
    static void startOneNodePerNamespace() throws Exception {
        noNamespaces = NetworkNamespaces.unavailable().orElse(null);
        if (!HaProxy.installed() || noNamespaces != null) {
            return; // each test skips itself, saying why: a skip here would not show the reason
        }
        network = NetworkNamespaces.create(3);
        Path logs = BrokerProcess.outputDirectory("cluster-it/" + ClusterPartitionIT.class.getSimpleName());
        // Cassandra listens on the root namespace's loopback, which the namespaces cannot reach.
        int cassandraPort = BrokerProcess.freePort();
        cassandraForwarder = HaProxy.start(logs,
                HaProxy.forwarder("cassandra", network.bridgeIp(), cassandraPort, cassandra.contactPoint()));
        List<ShoalCluster.Address> addresses = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            addresses.add(new ShoalCluster.Address(network.ip(n), 1883, 8558, 25520, network.launcher(n)));
        }
        cluster = ShoalCluster.of(addresses, Map.of(
                "SHOAL_PERSISTENCE", "cassandra",
                "SHOAL_CASSANDRA_CONTACT_POINTS", network.bridgeIp() + ":" + cassandraPort,
                "SHOAL_CASSANDRA_KEYSPACE", cassandra.keyspace(),
                // Decide after 5 s of stable membership instead of 20 s, to keep the test short.
                "SHOAL_CLUSTER_SPLIT_BRAIN_RESOLVER_STABLE_AFTER", "5s"), logs);
        node1 = cluster.node(1);
        node2 = cluster.node(2);
        node3 = cluster.node(3);
        cluster.start();
    }

    @AfterAll
    static void stopEverythingAndDeleteTheNetwork() throws Exception {
        try {
            clients.stream().filter(c -> c.getState().isConnected()).forEach(Mqtt5BlockingClient::disconnect);
            if (cluster != null) {
                cluster.close();
            }
            if (cassandraForwarder != null) {
                cassandraForwarder.close();
            }
        } finally {
            if (network != null) {
                network.close();
            }
        }
    }

    @BeforeEach
    void needsHaProxyAndNamespaces() {
        HaProxy.assumeInstalled();
        assumeTrue(noNamespaces == null, noNamespaces);
    }

    @Test
    @Order(1)
    void theMinorityStopsServingWhileTheMajorityServesAndTakesOverItsSessions() {
        BlockingQueue<Mqtt5Publish> on1 = new LinkedBlockingQueue<>();
        BlockingQueue<Mqtt5Publish> on2 = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient client1 = connect(node1, "majority-1", on1);
        Mqtt5BlockingClient client2 = connect(node2, "majority-2", on2);
        DirectClients.subscribe(client1, "majority/to-1");
        DirectClients.subscribe(client2, "majority/to-2");
        DirectClients.publishUntilReceived(client1, "majority/to-2", "before the partition", on2);

        AtomicReference<Throwable> minorityClientLost = new AtomicReference<>();
        onMinority = track(DirectClients.builder(node3, "mover")
                .addDisconnectedListener(context -> minorityClientLost.set(context.getCause())).buildBlocking());
        onMinority.connectWith().cleanStart(false).sessionExpiryInterval(PersistentClient.SESSION_EXPIRY_SECONDS).send();
        DirectClients.subscribe(onMinority, "moved/#");

        network.cut(3, 1);
        network.cut(3, 2);

        await("node 1 sees node 3 unreachable").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> node1.members().unreachable() == 1);
        DirectClients.publishUntilReceived(client1, "majority/to-2", "while node 3 is unreachable", on2);
        DirectClients.publishUntilReceived(client2, "majority/to-1", "while node 3 is unreachable", on1);

        assertEquals(EXIT_REMOVED_FROM_CLUSTER, node3.awaitExit(Duration.ofSeconds(90)),
                "node 3, the minority, downs itself and exits so that it can be restarted");
        await("node 3's client is disconnected").atMost(Duration.ofSeconds(10)).until(() -> minorityClientLost.get() != null);
        assertThrows(RuntimeException.class, () -> DirectClients.builder(node3, "late").buildBlocking().connect(),
                "node 3 takes no new MQTT connections");
        ShoalCluster.awaitMembers(List.of(node1, node2), 2, 0);
        DirectClients.publishUntilReceived(client1, "majority/to-2", "after node 3 was removed", on2);
        DirectClients.publishUntilReceived(client2, "majority/to-1", "after node 3 was removed", on1);

        moved = track(DirectClients.builder(node1, "mover")
                .addDisconnectedListener(context -> movedDisconnects.incrementAndGet()).buildBlocking());
        moved.toAsync().publishes(MqttGlobalPublishFilter.ALL, movedInbox::add);
        Mqtt5ConnAck connAck = resumeSession(moved);
        assertTrue(connAck.isSessionPresent(), "the session of node 3's client is served by node 1: " + connAck);
        DirectClients.publishUntilReceived(client2, "moved/on-majority", "its subscription came along", movedInbox);
    }

    @Test
    @Order(2)
    void afterTheHealTheRestartedNodeRejoinsAndTheMovedSessionIsActiveOnce() {
        assumeTrue(moved != null, "the partition test did not get as far as moving the session");
        network.heal(3, 1);
        network.heal(3, 2);
        node3.start(); // as an orchestrator would after the exit
        node3.awaitReady();
        ShoalCluster.awaitMembers(cluster.nodes(), 3, 0);

        Mqtt5BlockingClient onRejoined = connect(node3, "rejoined", new LinkedBlockingQueue<>());
        DirectClients.publishUntilReceived(onRejoined, "moved/after-rejoin", "published on node 3", movedInbox);
        // A second connection of the session anywhere would have taken this one over (and closed it).
        assertTrue(moved.getState().isConnected(), "the moved session's connection on node 1 is still open");
        assertEquals(0, movedDisconnects.get(), "the moved session was never taken over or dropped");
        assertFalse(onMinority.getState().isConnected(), "its old connection through node 3 is gone");
    }

    /** Resumes the persistent session, retrying while its shard is still moving off the downed node. */
    private static Mqtt5ConnAck resumeSession(Mqtt5BlockingClient client) {
        AtomicReference<Mqtt5ConnAck> connAck = new AtomicReference<>();
        await("session resumed on node 1").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> {
                    connAck.set(client.connectWith().cleanStart(false)
                            .sessionExpiryInterval(PersistentClient.SESSION_EXPIRY_SECONDS).send());
                    return true;
                });
        return connAck.get();
    }

    private static Mqtt5BlockingClient connect(ClusterNode node, String clientId, BlockingQueue<Mqtt5Publish> inbox) {
        return track(DirectClients.connect(node, clientId, inbox));
    }

    private static Mqtt5BlockingClient track(Mqtt5BlockingClient client) {
        clients.add(client);
        return client;
    }
}
