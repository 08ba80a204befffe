package io.shoal.deploy.e2e.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.persistence.testkit.CassandraExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Three broker nodes in this JVM (three actor systems, three MQTT listeners on loopback) forming
 * one cluster on one Cassandra keyspace, configured as an operator would: SHOAL_* variables.
 */
final class ThreeNodes implements AutoCloseable {

    /**
     * Routes spread within tens of milliseconds instead of Akka's production gossip intervals, so
     * that tests wait less; the production defaults are measured in docs/benchmarks.md.
     */
    private static final Config FAST_GOSSIP = ConfigFactory.parseString("""
            akka.cluster.distributed-data.gossip-interval = 300ms
            akka.cluster.distributed-data.notify-subscribers-interval = 50ms
            akka.cluster.typed.receptionist.distributed-data.gossip-interval = 300ms
            akka.cluster.gossip-interval = 200ms
            akka.cluster.leader-actions-interval = 200ms
            """);

    final TestBroker a;
    final TestBroker b;
    final TestBroker c;

    private ThreeNodes(TestBroker a, TestBroker b, TestBroker c) {
        this.a = a;
        this.b = b;
        this.c = c;
    }

    /** Node a forms the cluster (it is the only seed); b and c join it. */
    static ThreeNodes start(CassandraExtension cassandra) {
        int seedPort = freePort();
        String seeds = "127.0.0.1:" + seedPort;
        TestBroker a = node(cassandra, seedPort, seeds);
        TestBroker b = node(cassandra, 0, seeds);
        TestBroker c = node(cassandra, 0, seeds);
        ThreeNodes nodes = new ThreeNodes(a, b, c);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.all().stream()
                .allMatch(n -> n.node().upMembers() == 3 && n.node().peerCount() == 2 && n.node().ready()));
        return nodes;
    }

    private static TestBroker node(CassandraExtension cassandra, int clusterPort, String seeds) {
        Map<String, String> env = new HashMap<>();
        env.put("SHOAL_PERSISTENCE", "cassandra");
        env.put("SHOAL_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
        env.put("SHOAL_CASSANDRA_KEYSPACE", cassandra.keyspace());
        env.put("SHOAL_CLUSTER_PORT", String.valueOf(clusterPort));
        env.put("SHOAL_CLUSTER_SEED_NODES", seeds);
        // Short, so that a test's takeover from a node hands its routes over quickly.
        env.put("SHOAL_CLUSTER_ROUTE_HANDOVER", "3s");
        return TestBroker.start(env, FAST_GOSSIP);
    }

    List<TestBroker> all() {
        return List.of(a, b, c);
    }

    /** Waits until {@code publisherNode} routes {@code topic} to {@code subscriberNode}. */
    static void awaitRoute(TestBroker publisherNode, String topic, TestBroker subscriberNode) {
        String id = subscriberNode.node().routingTable().selfId();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> publisherNode.node().routingTable().nodesFor(topic).contains(id));
    }

    /** Waits until {@code publisherNode} routes {@code topic} to no other node. */
    static void awaitNoRoute(TestBroker publisherNode, String topic) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> publisherNode.node().routingTable().nodesFor(topic).isEmpty());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // The seed last: the others leave a cluster that is still there.
        for (TestBroker node : List.of(c, b, a)) {
            node.close();
        }
    }
}
