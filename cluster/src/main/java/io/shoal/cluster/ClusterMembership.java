package io.shoal.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.List;
import java.util.Map;

/** How this node becomes a cluster member. */
public final class ClusterMembership {

    private ClusterMembership() {
    }

    /** Shoal's settings for Akka itself (provider, downing, sharding), to put above Akka's reference.conf. */
    public static Config akkaDefaults() {
        return ConfigFactory.parseResources(ClusterMembership.class.getClassLoader(), "shoal-akka.conf");
    }

    /** The Akka settings that follow from {@code settings}: where this node listens, how it downs. */
    public static Config akkaConfig(ClusterSettings settings) {
        return ConfigFactory.parseMap(Map.of(
                "akka.remote.artery.canonical.hostname", settings.host(),
                "akka.remote.artery.canonical.port", settings.port(),
                "akka.cluster.split-brain-resolver.active-strategy", settings.downing(),
                "akka.cluster.split-brain-resolver.stable-after", settings.stableAfter().toMillis() + "ms"));
    }

    /**
     * Joins the configured seed nodes, or forms a cluster of one when there are none (the
     * single-node mode, where sharding still hosts every session). A node that is the first of the
     * seed nodes forms the cluster if none of the others answers; the others wait for one that does.
     */
    public static void join(ActorSystem<?> system, ClusterSettings settings) {
        Cluster cluster = Cluster.get(system);
        Address self = cluster.selfMember().address();
        List<Address> seeds = settings.seedNodes().isEmpty() ? List.of(self)
                : settings.seedNodes().stream().map(seed -> seedAddress(self, seed)).toList();
        cluster.manager().tell(new JoinSeedNodes(seeds));
    }

    /** "host:port" as the address of a node of this cluster (same actor system name and protocol). */
    private static Address seedAddress(Address self, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new Address(self.protocol(), self.system(), hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
