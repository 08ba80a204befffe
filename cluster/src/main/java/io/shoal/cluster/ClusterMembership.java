package io.shoal.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** How this node becomes a cluster member. */
public final class ClusterMembership {

    private ClusterMembership() {
    }

    /** Shoal's settings for Akka itself (provider, downing, sharding), to put above Akka's reference.conf. */
    public static Config akkaDefaults() {
        return ConfigFactory.parseResources(ClusterMembership.class.getClassLoader(), "shoal-akka.conf");
    }

    /** Forms a cluster of one: the single-node mode, where sharding still hosts every session. */
    public static void joinSelf(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
}
