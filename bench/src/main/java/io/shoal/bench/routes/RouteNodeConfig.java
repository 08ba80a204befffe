package io.shoal.bench.routes;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.cluster.ClusterMembership;

import java.util.List;

/**
 * The Akka settings of a measured node: Shoal's own (as a broker node has them) on a loopback port,
 * optionally with the faster gossip the routing table's tests use, and any settings given on the
 * command line on top.
 */
final class RouteNodeConfig {

    /** What ClusterNodes in the cluster module's tests use so routes show up in tens of ms. */
    static final List<String> FAST_GOSSIP = List.of(
            "akka.cluster.distributed-data.gossip-interval = 300ms",
            "akka.cluster.distributed-data.notify-subscribers-interval = 50ms",
            "akka.cluster.gossip-interval = 200ms",
            "akka.cluster.leader-actions-interval = 200ms");

    private RouteNodeConfig() {
    }

    static Config of(boolean fastGossip, List<String> settings) {
        return ConfigFactory.parseString(String.join("\n", settings))
                .withFallback(ConfigFactory.parseString(fastGossip ? String.join("\n", FAST_GOSSIP) : ""))
                .withFallback(ConfigFactory.parseString("""
                        akka.remote.artery.canonical.hostname = "127.0.0.1"
                        akka.remote.artery.canonical.port = 0
                        """))
                .withFallback(ClusterMembership.akkaDefaults())
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    /** The settings that decide how fast and in what pieces routes travel, for the report. */
    static String summary(Config config) {
        return "gossip-interval " + duration(config, "akka.cluster.distributed-data.gossip-interval")
                + ", notify-subscribers-interval " + duration(config, "akka.cluster.distributed-data.notify-subscribers-interval")
                + ", delta-crdt.max-delta-size " + config.getInt("akka.cluster.distributed-data.delta-crdt.max-delta-size")
                + ", max-delta-elements " + config.getInt("akka.cluster.distributed-data.max-delta-elements")
                + ", maximum-frame-size " + config.getBytes("akka.remote.artery.advanced.maximum-frame-size") / 1024 + " KiB";
    }

    private static String duration(Config config, String path) {
        return config.getDuration(path).toMillis() + "ms";
    }
}
