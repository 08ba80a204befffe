package io.shoal.deploy.packaged;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Shoal JVMs started as one cluster, each with its own MQTT, health and cluster ports, all listing
 * the same seed nodes, as an operator would run them from environment variables alone.
 */
final class ShoalCluster implements AutoCloseable {

    /** Where one node listens, and what starts its JVM (see {@link ClusterNode}). */
    record Address(String host, int mqttPort, int healthPort, int clusterPort, List<String> launcher) {
    }

    private final List<ClusterNode> nodes;

    private ShoalCluster(List<ClusterNode> nodes) {
        this.nodes = nodes;
    }

    /** Nodes at {@code addresses}, each with {@code settings} (Cassandra, timings) and its own addresses. */
    static ShoalCluster of(List<Address> addresses, Map<String, String> settings, Path logDirectory) {
        String seeds = addresses.stream().map(a -> a.host() + ":" + a.clusterPort()).collect(Collectors.joining(","));
        List<ClusterNode> nodes = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            Address address = addresses.get(i);
            Map<String, String> env = new HashMap<>(settings);
            env.put("SHOAL_MQTT_HOST", address.host());
            env.put("SHOAL_MQTT_PORT", String.valueOf(address.mqttPort()));
            env.put("SHOAL_HEALTH_PORT", String.valueOf(address.healthPort()));
            env.put("SHOAL_CLUSTER_HOST", address.host());
            env.put("SHOAL_CLUSTER_PORT", String.valueOf(address.clusterPort()));
            env.put("SHOAL_CLUSTER_SEED_NODES", seeds);
            nodes.add(new ClusterNode("node" + (i + 1), address.host(), address.mqttPort(), address.healthPort(),
                    address.launcher(), env, logDirectory));
        }
        return new ShoalCluster(nodes);
    }

    /** {@code size} nodes on 127.0.0.1, on free ports. */
    static ShoalCluster onLoopback(int size, Map<String, String> settings, Path logDirectory) {
        List<Address> addresses = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            addresses.add(new Address("127.0.0.1", freePort(), freePort(), freePort(), List.of()));
        }
        return of(addresses, settings, logDirectory);
    }

    /** Starts every node at once, then waits until each is ready and sees all of them Up. */
    void start() {
        nodes.forEach(ClusterNode::start);
        nodes.forEach(ClusterNode::awaitReady);
        awaitMembers(nodes, nodes.size(), 0);
    }

    /** Waits until each of {@code observers} sees {@code up} members Up and {@code unreachable} unreachable. */
    static void awaitMembers(List<ClusterNode> observers, int up, int unreachable) {
        ClusterNode.Members expected = new ClusterNode.Members(up, unreachable);
        for (ClusterNode node : observers) {
            await(node.name() + " sees " + expected).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> node.members().equals(expected));
        }
    }

    List<ClusterNode> nodes() {
        return nodes;
    }

    /** Node 1, 2, ... */
    ClusterNode node(int number) {
        return nodes.get(number - 1);
    }

    /** The nodes other than {@code node}. */
    List<ClusterNode> others(ClusterNode node) {
        return nodes.stream().filter(n -> n != node).toList();
    }

    /** Kills every node still running (the cluster's data is the test's to drop). */
    @Override
    public void close() {
        nodes.stream().filter(ClusterNode::alive).forEach(ClusterNode::kill);
    }

    static int freePort() {
        try {
            return BrokerProcess.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
