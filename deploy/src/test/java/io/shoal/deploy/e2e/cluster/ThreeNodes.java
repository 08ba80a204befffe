package io.shoal.deploy.e2e.cluster;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Three broker nodes in this JVM (three actor systems, three MQTT listeners on loopback) forming
 * one cluster on one Cassandra keyspace, configured as an operator would: SHOAL_* variables. A JUnit
 * extension for a test class, registered after the {@link CassandraExtension} it uses; the clients a
 * test {@link #track}s are disconnected after it.
 */
final class ThreeNodes implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

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

    private final CassandraExtension cassandra;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();
    TestBroker a;
    TestBroker b;
    TestBroker c;

    ThreeNodes(CassandraExtension cassandra) {
        this.cassandra = cassandra;
    }

    /** Node a forms the cluster (it is the only seed); b and c join it. */
    @Override
    public void beforeAll(ExtensionContext context) {
        int seedPort = freePort();
        String seeds = "127.0.0.1:" + seedPort;
        a = node(cassandra, seedPort, seeds);
        b = node(cassandra, 0, seeds);
        c = node(cassandra, 0, seeds);
        await().atMost(Duration.ofSeconds(30)).until(() -> all().stream()
                .allMatch(n -> n.node().upMembers() == 3 && n.node().peerCount() == 2 && n.node().ready()));
    }

    /** A client to disconnect after the test, if it is still connected. */
    Mqtt5BlockingClient track(Mqtt5BlockingClient client) {
        clients.add(client);
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.stream().filter(c -> c.getState().isConnected()).forEach(Mqtt5BlockingClient::disconnect);
        clients.clear();
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
    public void afterAll(ExtensionContext context) {
        // The seed last: the others leave a cluster that is still there.
        for (TestBroker node : new TestBroker[] {c, b, a}) {
            if (node != null) {
                node.close();
            }
        }
    }
}
